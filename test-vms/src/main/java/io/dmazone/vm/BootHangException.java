package io.dmazone.vm;

import java.util.List;

/** Every boot of a VM hung (see {@link BootWatchdog}); each attempt is recorded. */
public final class BootHangException extends VmException {
    private static final long serialVersionUID = 1L;
    private final transient List<BootRetry> attempts;

    BootHangException(String name, List<BootRetry> attempts) {
        super("VM " + name + " hung while booting, " + attempts.size() + " time(s): "
                + String.join("; ", attempts.stream().map(a -> "attempt " + a.attempt() + ": " + a.reason()).toList())
                + "; last console lines:\n" + attempts.get(attempts.size() - 1).consoleExcerpt(),
                attempts.get(attempts.size() - 1).consoleExcerpt());
        this.attempts = List.copyOf(attempts);
    }

    /** Every hung boot, in order. */
    public List<BootRetry> attempts() {
        return attempts;
    }
}
