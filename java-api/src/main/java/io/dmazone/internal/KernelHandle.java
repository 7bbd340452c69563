package io.dmazone.internal;

/**
 * Internal: the close-once life of a handle on a kernel resource (a VFIO fd, a DMA mapping).
 * The first {@link #close()} runs {@link #release()}, outside the handle's lock, and later
 * calls do nothing; {@link #ensureOpen()} refuses use after that. Not API.
 */
public abstract class KernelHandle implements AutoCloseable {
    private boolean closed;

    /** Frees the resource. Called once, by the first {@link #close()}. */
    protected abstract void release();

    /** The message of the {@link IllegalStateException} for use after close. */
    protected abstract String closedMessage();

    /** Releases the resource; idempotent and safe from several threads. */
    @Override
    public final void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        release();
    }

    /** True once closed. */
    public final synchronized boolean isClosed() {
        return closed;
    }

    /** Throws {@link IllegalStateException} with {@link #closedMessage()} once closed. */
    protected final synchronized void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(closedMessage());
        }
    }
}
