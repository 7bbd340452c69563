package io.dmazone.vm;

/**
 * A guest whose command had started stopped making progress: it wrote nothing to its
 * heartbeat directory for longer than {@link VmSpec#heartbeatSilence()} (under TCG a guest
 * whose timer interrupts stop being delivered sits idle, printing nothing). The VM has been
 * killed.
 */
public class GuestStalledException extends VmException {
    private static final long serialVersionUID = 1L;
    private final String reason;
    private final double seconds;

    public GuestStalledException(String vm, String reason, double seconds, String consoleTail) {
        super("VM " + vm + " stalled after its command started: " + reason + "; console tail:\n" + consoleTail,
                consoleTail);
        this.reason = reason;
        this.seconds = seconds;
    }

    /** What was seen. */
    public String reason() {
        return reason;
    }

    /** From the VM's launch to its kill. */
    public double seconds() {
        return seconds;
    }
}
