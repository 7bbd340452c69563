package io.dmazone.vm;

/** A VM could not be launched or did not run to the end; carries the console tail when there is one. */
public class VmException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String consoleTail;

    public VmException(String message, String consoleTail) {
        super(message);
        this.consoleTail = consoleTail;
    }

    public VmException(String message, Throwable cause) {
        super(message, cause);
        this.consoleTail = "";
    }

    /** The last lines of the console, or an empty string. */
    public String consoleTail() {
        return consoleTail;
    }
}
