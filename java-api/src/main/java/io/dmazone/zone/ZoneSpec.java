package io.dmazone.zone;

import io.dmazone.Sizes;

/**
 * A DMA zone: guest-physical memory, identity mapped (IOVA == GPA), that is the only
 * memory an assigned device can reach. Either a fixed window reserved at boot
 * ({@code memmap=SIZE$BASE}) or, with base {@link #PAGE_BUILT}, built by dmazone.ko from
 * 2 MiB page chunks wherever the guest's allocator finds them (no reservation, no base).
 *
 * @param size          bytes, a positive multiple of {@code alignment}
 * @param alignment     a power of two, at least 4 KiB (2 MiB lets the IOMMU use huge pages)
 * @param guestPhysBase the zone's first guest-physical address, a multiple of {@code alignment},
 *                      at or above 1 MiB; or {@link #PAGE_BUILT}
 */
public record ZoneSpec(long size, long alignment, long guestPhysBase) {
    /** The default alignment: 2 MiB, the x86 IOMMU's first huge page size. */
    public static final long DEFAULT_ALIGNMENT = 2 * Sizes.MIB;
    /** The base of a zone the guest builds from pages: it has no fixed address. */
    public static final long PAGE_BUILT = 0;

    /** Validates. */
    public ZoneSpec {
        if (alignment < Sizes.PAGE_SIZE || Long.bitCount(alignment) != 1) {
            throw new IllegalArgumentException("zone alignment " + alignment
                    + " must be a power of two of at least 4 KiB (2 MiB recommended)");
        }
        if (size <= 0 || size % alignment != 0) {
            throw new IllegalArgumentException("zone size " + Sizes.format(size) + " must be a positive multiple of the "
                    + "alignment " + Sizes.format(alignment) + "; round it up, e.g. to "
                    + Sizes.format(Math.max(alignment, (Math.max(size, 0) + alignment - 1) / alignment * alignment)));
        }
        if (guestPhysBase != PAGE_BUILT && guestPhysBase < Sizes.MIB) {
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

    /** A zone of {@code size} that dmazone.ko builds from 2 MiB page chunks in the guest. */
    public static ZoneSpec pageBuilt(long size) {
        return of(size, PAGE_BUILT);
    }

    /**
     * Parses {@code "SIZE@BASE"} (a reserved window, e.g. {@code "64M@0x40000000"}) or
     * {@code "SIZE"} (a page-built zone, e.g. {@code "64M"}), with the default alignment.
     *
     * @throws IllegalArgumentException saying what the form is
     */
    public static ZoneSpec parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("zone is empty; write SIZE@BASE (e.g. 64M@0x40000000) or SIZE (e.g. 64M)");
        }
        int at = text.indexOf('@');
        if (at < 0) {
            return pageBuilt(Sizes.parse(text));
        }
        return of(Sizes.parse(text.substring(0, at)), Sizes.parse(text.substring(at + 1)));
    }

    /** True for a zone the guest builds from pages, which has no fixed base. */
    public boolean isPageBuilt() {
        return guestPhysBase == PAGE_BUILT;
    }

    /**
     * One past the last byte.
     *
     * @throws IllegalStateException for a page-built zone, which has no fixed range
     */
    public long end() {
        requireWindow("end()");
        return guestPhysBase + size;
    }

    /** True when {@code [gpa, gpa + len)} lies inside a reserved zone; always false for a page-built one. */
    public boolean contains(long gpa, long len) {
        return !isPageBuilt() && len > 0 && gpa >= guestPhysBase && gpa + len >= gpa && gpa + len <= end();
    }

    /**
     * The guest kernel's reservation: {@code memmap=64M$0x40000000}.
     *
     * @throws IllegalStateException for a page-built zone, which reserves nothing at boot
     */
    public String memmapParameter() {
        requireWindow("memmapParameter()");
        String s = size % Sizes.MIB == 0 ? (size / Sizes.MIB) + "M" : Sizes.hex(size);
        return "memmap=" + s + "$" + Sizes.hex(guestPhysBase);
    }

    private void requireWindow(String what) {
        if (isPageBuilt()) {
            throw new IllegalStateException(what + " needs a zone with a base (SIZE@BASE); " + this
                    + " is built from pages wherever the guest finds them");
        }
    }

    @Override
    public String toString() {
        String where = isPageBuilt() ? "built from pages" : "at GPA " + Sizes.hex(guestPhysBase);
        return "ZoneSpec[" + Sizes.format(size) + " " + where + ", aligned " + Sizes.format(alignment) + "]";
    }
}
