package io.dmazone;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resources closed in reverse order of registration, every one of them even when some
 * fail: the first failure is thrown and the others are added to it as suppressed.
 *
 * <p>Used by the VFIO handles to tear down what they opened; usable on its own.
 */
public final class CloseableStack implements AutoCloseable {
    private final Deque<AutoCloseable> stack = new ArrayDeque<>();
    private boolean closed;

    /** Registers a resource to close; returns it. */
    public synchronized <T extends AutoCloseable> T push(T resource) {
        if (closed) {
            throw new IllegalStateException("stack already closed; open a new one");
        }
        stack.push(resource);
        return resource;
    }

    /** Forgets a resource (closed by its owner) without closing it. */
    public synchronized boolean remove(AutoCloseable resource) {
        return stack.removeFirstOccurrence(resource);
    }

    /** Number of resources still registered. */
    public synchronized int size() {
        return stack.size();
    }

    /**
     * Closes every registered resource, last registered first.
     *
     * @throws DmazoneException (or the first failure if it is unchecked) with the
     *         others suppressed
     */
    @Override
    public void close() {
        Throwable first = null;
        while (true) {
            AutoCloseable r;
            synchronized (this) {
                closed = true;
                r = stack.poll();
            }
            if (r == null) {
                break;
            }
            try {
                r.close();
            } catch (Throwable t) {
                first = Failures.keep(first, t);
            }
        }
        rethrow(first);
    }

    /** Throws {@code t} unchanged if unchecked, else wrapped in a {@link DmazoneException}. */
    static void rethrow(Throwable t) {
        if (t == null) {
            return;
        }
        if (t instanceof RuntimeException) {
            throw (RuntimeException) t;
        }
        if (t instanceof Error) {
            throw (Error) t;
        }
        throw new DmazoneException("close failed: " + t, t);
    }
}
