package io.dmazone.vfio;

import io.dmazone.Sizes;

/**
 * An inclusive IOVA range {@code [start, end]}, as the kernel reports usable ranges
 * (VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE). Addresses are unsigned 64-bit.
 *
 * @param start first IOVA
 * @param end   last IOVA (inclusive)
 */
public record IovaRange(long start, long end) {
    /** Validates. */
    public IovaRange {
        if (Long.compareUnsigned(start, end) > 0) {
            throw new IllegalArgumentException("IOVA range start " + Sizes.hex(start) + " is above its end "
                    + Sizes.hex(end) + "; the end is inclusive: [start, start + size - 1]");
        }
    }

    /** The range {@code [start, start + size - 1]}. */
    public static IovaRange ofSize(long start, long size) {
        if (size == 0) {
            throw new IllegalArgumentException("IOVA range size is 0; give at least one byte");
        }
        long end = start + size - 1;
        if (Long.compareUnsigned(end, start) < 0) {
            throw new IllegalArgumentException("IOVA range " + Sizes.hex(start) + " + " + Sizes.format(size)
                    + " wraps past 2^64; choose a lower start or a smaller size");
        }
        return new IovaRange(start, end);
    }

    /** Its size in bytes; 0 stands for the whole 2^64 space. */
    public long size() {
        return end - start + 1;
    }

    /** True when {@code [iova, iova + size)} lies inside this range. */
    public boolean contains(long iova, long size) {
        if (size == 0) {
            return false;
        }
        long last = iova + size - 1;
        return Long.compareUnsigned(last, iova) >= 0
                && Long.compareUnsigned(iova, start) >= 0 && Long.compareUnsigned(last, end) <= 0;
    }

    @Override
    public String toString() {
        return "[" + Sizes.hex(start) + "-" + Sizes.hex(end) + "]";
    }
}
