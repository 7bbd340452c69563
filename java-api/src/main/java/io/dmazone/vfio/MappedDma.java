package io.dmazone.vfio;

import io.dmazone.memory.NativeMemory;

/**
 * A live DMA mapping. Closing it unmaps it (pages unpinned); closing its {@link DmaSpace}
 * does the same for all mappings still open.
 */
public final class MappedDma implements AutoCloseable {
    private final VfioContainer space;
    private final DmaMapping mapping;
    private final NativeMemory memory;
    private final long offset;
    private boolean closed;

    MappedDma(VfioContainer space, DmaMapping mapping, NativeMemory memory, long offset) {
        this.space = space;
        this.mapping = mapping;
        this.memory = memory;
        this.offset = offset;
    }

    /** What is mapped. */
    public DmaMapping mapping() {
        return mapping;
    }

    /** The memory behind it. */
    public NativeMemory memory() {
        return memory;
    }

    /** Offset of the mapping within {@link #memory()}. */
    public long offset() {
        return offset;
    }

    /** True once unmapped. */
    public synchronized boolean isClosed() {
        return closed;
    }

    /** Unmaps; idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        space.unmap(this);
    }

    @Override
    public String toString() {
        return "MappedDma[" + mapping + (isClosed() ? ", unmapped" : "") + "]";
    }
}
