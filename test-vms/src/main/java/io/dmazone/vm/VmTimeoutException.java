package io.dmazone.vm;

import java.time.Duration;

/** The VM did not power off within its spec's timeout; it has been killed. */
public final class VmTimeoutException extends VmException {
    private static final long serialVersionUID = 1L;

    VmTimeoutException(String name, Duration timeout, String consoleTail) {
        super("VM " + name + " did not finish within " + timeout.toSeconds()
                + " s of its command's start and was killed; console tail:\n"
                + consoleTail, consoleTail);
    }
}
