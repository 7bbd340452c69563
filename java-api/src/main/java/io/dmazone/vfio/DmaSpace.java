package io.dmazone.vfio;

import io.dmazone.memory.NativeMemory;
import java.util.List;

/**
 * An I/O address space that devices DMA through: a VFIO type1 container today, an iommufd
 * IOAS later. Mappings made through it are handles; closing the space unmaps whatever is
 * still mapped and closes the groups and devices opened through it, in reverse order.
 */
public interface DmaSpace extends AutoCloseable {
    /** The backend behind this space. */
    IommuBackend backend();

    /** What the IOMMU reports: page sizes, usable IOVA ranges, mappings left. */
    IommuInfo info();

    /**
     * Maps {@code memory[offset, offset + mapping.size())} at {@code mapping.iova()}. The
     * pages are pinned (and counted as locked memory) until the mapping is closed.
     *
     * @throws io.dmazone.DmaMapException with a message saying what to change
     */
    MappedDma map(NativeMemory memory, long offset, DmaMapping mapping);

    /** {@link #map(NativeMemory, long, DmaMapping)} at offset 0. */
    default MappedDma map(NativeMemory memory, DmaMapping mapping) {
        return map(memory, 0, mapping);
    }

    /** The mappings still in place, in the order they were made. */
    List<MappedDma> mappings();

    /** Total bytes still mapped. */
    default long mappedBytes() {
        return mappings().stream().mapToLong(m -> m.mapping().size()).sum();
    }

    /**
     * Unmaps every remaining mapping and closes every device and group opened through
     * this space, last opened first, then the space itself; every failure is kept (the
     * first thrown, the rest suppressed).
     */
    @Override
    void close();
}
