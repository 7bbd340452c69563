package io.dmazone.vfio;

import io.dmazone.Sizes;
import io.dmazone.jni.Natives;

/**
 * A DMA mapping request: device-visible IOVA range and what the device may do.
 *
 * @param iova  first IOVA, 4 KiB aligned
 * @param size  bytes, a positive multiple of 4 KiB
 * @param read  the device may read
 * @param write the device may write
 */
public record DmaMapping(long iova, long size, boolean read, boolean write) {
    /** Validates. */
    public DmaMapping {
        if (size <= 0 || size % Sizes.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("DMA mapping size " + size + " must be a positive multiple of 4 KiB");
        }
        if (iova % Sizes.PAGE_SIZE != 0) {
            throw new IllegalArgumentException("DMA mapping IOVA " + Sizes.hex(iova) + " must be 4 KiB aligned");
        }
        if (Long.compareUnsigned(iova + size - 1, iova) < 0) {
            throw new IllegalArgumentException("DMA mapping " + Sizes.hex(iova) + " + " + Sizes.format(size)
                    + " wraps past 2^64; choose a lower IOVA");
        }
        if (!read && !write) {
            throw new IllegalArgumentException("DMA mapping at " + Sizes.hex(iova)
                    + " allows neither read nor write; allow at least one");
        }
    }

    /** Read-write mapping. */
    public static DmaMapping readWrite(long iova, long size) {
        return new DmaMapping(iova, size, true, true);
    }

    /** The IOVA range it covers. */
    public IovaRange range() {
        return new IovaRange(iova, iova + size - 1);
    }

    /** {@code VFIO_DMA_MAP_FLAG_*} for it. */
    public int flags() {
        return (read ? Natives.VFIO_DMA_MAP_FLAG_READ : 0) | (write ? Natives.VFIO_DMA_MAP_FLAG_WRITE : 0);
    }

    @Override
    public String toString() {
        return "DmaMapping[" + Sizes.format(size) + " at IOVA " + Sizes.hex(iova) + ", " + (read ? "r" : "-")
                + (write ? "w" : "-") + "]";
    }
}
