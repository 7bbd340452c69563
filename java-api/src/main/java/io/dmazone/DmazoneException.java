package io.dmazone;

/**
 * The root of dmazone's exceptions. Every message names what failed and, where there is
 * one, what to do about it.
 */
public class DmazoneException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** An exception with a user-facing message. */
    public DmazoneException(String message) {
        super(message);
    }

    /** An exception with a user-facing message and the failure that caused it. */
    public DmazoneException(String message, Throwable cause) {
        super(message, cause);
    }
}
