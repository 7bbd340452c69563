package io.dmazone.vfio;

import io.dmazone.Sizes;
import io.dmazone.jni.Natives;

/**
 * {@code VFIO_DEVICE_GET_REGION_INFO}: where a region (BAR, config space) lives in the
 * device fd.
 *
 * @param index  region index ({@code VFIO_PCI_BAR0_REGION_INDEX} = 0 .. config = 7)
 * @param flags  {@code VFIO_REGION_INFO_FLAG_*}
 * @param size   region size in bytes (0: not implemented by the device)
 * @param offset offset of the region in the device fd
 */
public record RegionInfo(int index, long flags, long size, long offset) {
    /** BAR0. */
    public static final int BAR0 = Natives.VFIO_PCI_BAR0_REGION_INDEX;
    /** PCI config space. */
    public static final int CONFIG = Natives.VFIO_PCI_CONFIG_REGION_INDEX;

    /** Validates. */
    public RegionInfo {
        if (index < 0 || size < 0 || offset < 0) {
            throw new IllegalArgumentException("region index, size and offset cannot be negative");
        }
    }

    /** Readable through pread. */
    public boolean readable() {
        return (flags & Natives.VFIO_REGION_INFO_FLAG_READ) != 0;
    }

    /** Writable through pwrite. */
    public boolean writable() {
        return (flags & Natives.VFIO_REGION_INFO_FLAG_WRITE) != 0;
    }

    /** Can be mmapped. */
    public boolean mappable() {
        return (flags & Natives.VFIO_REGION_INFO_FLAG_MMAP) != 0;
    }

    /** True when {@code [off, off + len)} lies inside the region. */
    public boolean contains(long off, long len) {
        return off >= 0 && len >= 0 && off <= size && len <= size - off;
    }

    @Override
    public String toString() {
        return "RegionInfo[" + index + ": " + Sizes.format(size) + " at fd offset " + Sizes.hex(offset)
                + (readable() ? " r" : "") + (writable() ? "w" : "") + (mappable() ? " mmap" : "") + "]";
    }
}
