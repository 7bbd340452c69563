package io.dmazone.vm;

/**
 * QEMU itself aborted (a failed assertion of its own) before the guest command
 * started: an emulator fault, not a guest's. QEMU 10.0's TCG has been seen to trip
 * {@code iotlb_to_section: Assertion `section_index < d->map.sections_nb'} while the
 * guest kernel enumerates PCI; a fresh boot of the same spec does not.
 */
public class EmulatorCrashException extends VmException {
    private static final long serialVersionUID = 1L;

    public EmulatorCrashException(String message, String consoleTail) {
        super(message, consoleTail);
    }

    /** Whether a console shows QEMU aborting on one of its own assertions. */
    static boolean seenIn(String console) {
        return console.lines().anyMatch(l -> l.startsWith("qemu-system-") && l.contains("Assertion `"));
    }
}
