package io.dmazone.zone;

import io.dmazone.Sizes;

/**
 * A DMA zone: a window of guest-physical memory, reserved in the guest and identity
 * mapped (IOVA == GPA), that is the only memory an assigned device can reach.
 *
 * @param size          bytes, a positive multiple of {@code alignment}
 * @param alignment     a power of two, at least 4 KiB (2 MiB lets the IOMMU use huge pages)
 * @param guestPhysBase the zone's first guest-physical address, a multiple of {@code alignment},
 *                      at or above 1 MiB
 */
public record ZoneSpec(long size, long alignment, long guestPhysBase) {
    /** The default alignment: 2 MiB, the x86 IOMMU's first huge page size. */
    public static final long DEFAULT_ALIGNMENT = 2 * Sizes.MIB;

    /** Validates. */
    public ZoneSpec {
        if (alignment < 4096 || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("zone alignment " + alignment
                    + " must be a power of two of at least 4 KiB (2 MiB recommended)");
        }
        if (size <= 0 || size % alignment != 0) {
            throw new IllegalArgumentException("zone size " + Sizes.format(size) + " must be a positive multiple of the "
                    + "alignment " + Sizes.format(alignment) + "; round it up, e.g. to "
                    + Sizes.format(Math.max(alignment, (Math.max(size, 0) + alignment - 1) / alignment * alignment)));
        }
        if (guestPhysBase < Sizes.MIB) {
            throw new IllegalArgumentException("zone base " + Sizes.hex(guestPhysBase)
                    + " lies in the first MiB (firmware and real-mode memory); put it higher, e.g. 0x40000000");
        }
        if (guestPhysBase % alignment != 0) {
            throw new IllegalArgumentException("zone base " + Sizes.hex(guestPhysBase) + " must be a multiple of the "
                    + "alignment " + Sizes.format(alignment) + "; e.g. " + Sizes.hex(guestPhysBase / alignment * alignment));
        }
        if (guestPhysBase + size < guestPhysBase) {
            throw new IllegalArgumentException("zone " + Sizes.hex(guestPhysBase) + " + " + Sizes.format(size)
                    + " wraps the address space; lower the base");
        }
    }

    /** A zone with the default 2 MiB alignment. */
    public static ZoneSpec of(long size, long guestPhysBase) {
        return new ZoneSpec(size, DEFAULT_ALIGNMENT, guestPhysBase);
    }

    /**
     * Parses {@code "SIZE@BASE"}, e.g. {@code "64M@0x40000000"}, with the default alignment.
     *
     * @throws IllegalArgumentException saying what the form is
     */
    public static ZoneSpec parse(String text) {
        if (text == null || text.indexOf('@') < 0) {
            throw new IllegalArgumentException("zone \"" + text + "\" must read SIZE@BASE, e.g. 64M@0x40000000");
        }
        int at = text.indexOf('@');
        return of(Sizes.parse(text.substring(0, at)), Sizes.parse(text.substring(at + 1)));
    }

    /** One past the last byte. */
    public long end() {
        return guestPhysBase + size;
    }

    /** True when {@code [gpa, gpa + len)} lies inside the zone. */
    public boolean contains(long gpa, long len) {
        return len > 0 && gpa >= guestPhysBase && gpa + len >= gpa && gpa + len <= end();
    }

    /** The guest kernel's reservation: {@code memmap=64M$0x40000000}. */
    public String memmapParameter() {
        String s = size % Sizes.MIB == 0 ? (size / Sizes.MIB) + "M" : Sizes.hex(size);
        return "memmap=" + s + "$" + Sizes.hex(guestPhysBase);
    }

    @Override
    public String toString() {
        return "ZoneSpec[" + Sizes.format(size) + " at GPA " + Sizes.hex(guestPhysBase) + ", aligned "
                + Sizes.format(alignment) + "]";
    }
}
