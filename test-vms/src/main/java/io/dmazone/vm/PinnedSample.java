package io.dmazone.vm;

/**
 * One reading of a QEMU process's pinned memory, from /proc/PID/status.
 *
 * @param millis   since that QEMU started
 * @param vmLckKiB locked_vm (what VFIO type1 accounts)
 * @param vmPinKiB pinned_vm
 * @param phase    what the guest was doing: boot, command or done
 */
public record PinnedSample(long millis, long vmLckKiB, long vmPinKiB, String phase) {
    /** The larger of the two counters, in KiB. */
    public long pinnedKiB() {
        return Math.max(vmLckKiB, vmPinKiB);
    }
}
