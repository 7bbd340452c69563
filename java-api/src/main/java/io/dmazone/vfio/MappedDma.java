package io.dmazone.vfio;

import io.dmazone.internal.KernelHandle;
import io.dmazone.memory.NativeMemory;

/**
 * A live DMA mapping. Closing it unmaps it (pages unpinned); closing its {@link DmaSpace}
 * does the same for all mappings still open.
 */
public final class MappedDma extends KernelHandle {
    private final VfioContainer space;
    private final DmaMapping mapping;
    private final NativeMemory memory;
    private final long offset;

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

    @Override
    protected String closedMessage() {
        return "mapping " + mapping + " is unmapped";
    }

    /** Unmaps. */
    @Override
    protected void release() {
        space.unmap(this);
    }

    @Override
    public String toString() {
        return "MappedDma[" + mapping + (isClosed() ? ", unmapped" : "") + "]";
    }
}
