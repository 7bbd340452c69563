package io.dmazone.vfio;

import io.dmazone.Sizes;
import io.dmazone.jni.Natives;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * What {@code VFIO_IOMMU_GET_INFO} reports for a container.
 *
 * @param flags         {@code VFIO_IOMMU_INFO_*}
 * @param iovaPageSizes bitmap of supported IOMMU page sizes
 * @param iovaRanges    usable IOVA ranges (reserved regions such as the MSI window excluded);
 *                      empty if the kernel did not report them
 * @param dmaAvailable  how many more DMA mappings the container accepts (type1 {@code dma_entry_limit}),
 *                      if reported
 */
public record IommuInfo(int flags, long iovaPageSizes, List<IovaRange> iovaRanges, OptionalInt dmaAvailable) {
    private static final int CAP_HEADER = 8;

    /** Validates and copies. */
    public IommuInfo {
        iovaRanges = List.copyOf(Objects.requireNonNull(iovaRanges, "iovaRanges"));
        Objects.requireNonNull(dmaAvailable, "dmaAvailable (use OptionalInt.empty())");
    }

    /** The smallest supported IOMMU page size (0 if none reported). */
    public long minPageSize() {
        return Long.lowestOneBit(iovaPageSizes);
    }

    /** True when the mapping lies inside one usable IOVA range (always, if none were reported). */
    public boolean allows(DmaMapping m) {
        return iovaRanges.isEmpty() || iovaRanges.stream().anyMatch(r -> r.contains(m.iova(), m.size()));
    }

    /**
     * Parses the raw {@code struct vfio_iommu_type1_info} and its capability chain.
     *
     * @param raw the buffer as filled by the kernel (native byte order)
     * @throws IllegalArgumentException if the buffer or chain is malformed
     */
    public static IommuInfo parse(byte[] raw) {
        if (raw.length < Natives.VFIO_IOMMU_TYPE1_INFO_SIZE) {
            throw new IllegalArgumentException("IOMMU info is " + raw.length + " bytes; need at least "
                    + Natives.VFIO_IOMMU_TYPE1_INFO_SIZE);
        }
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        int argsz = b.getInt(0);
        int flags = b.getInt(4);
        long pgsizes = b.getLong(8);
        int capOffset = b.getInt(16);
        List<IovaRange> ranges = new ArrayList<>();
        OptionalInt avail = OptionalInt.empty();
        int limit = Math.min(raw.length, argsz);
        if ((flags & Natives.VFIO_IOMMU_INFO_CAPS) != 0) {
            int off = capOffset;
            int seen = 0;
            while (off != 0) {
                if (off < Natives.VFIO_IOMMU_TYPE1_INFO_SIZE || off + CAP_HEADER > limit || ++seen > 64) {
                    throw new IllegalArgumentException("malformed IOMMU capability chain at offset " + off
                            + " (buffer " + limit + " bytes)");
                }
                int id = Short.toUnsignedInt(b.getShort(off));
                int next = b.getInt(off + 4);
                if (id == Natives.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE) {
                    int n = b.getInt(off + 8);
                    if (n < 0 || off + 16 + 16L * n > limit) {
                        throw new IllegalArgumentException("IOVA range capability claims " + n
                                + " ranges, more than the buffer holds");
                    }
                    for (int i = 0; i < n; i++) {
                        ranges.add(new IovaRange(b.getLong(off + 16 + 16 * i), b.getLong(off + 24 + 16 * i)));
                    }
                } else if (id == Natives.VFIO_IOMMU_TYPE1_INFO_DMA_AVAIL) {
                    if (off + 12 > limit) {
                        throw new IllegalArgumentException("DMA_AVAIL capability truncated");
                    }
                    avail = OptionalInt.of(b.getInt(off + 8));
                }
                off = next;
            }
        }
        return new IommuInfo(flags, pgsizes, ranges, avail);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("IommuInfo[pgsizes ").append(Sizes.hex(iovaPageSizes))
                .append(", ranges ").append(iovaRanges);
        dmaAvailable.ifPresent(a -> s.append(", DMA_AVAIL ").append(a));
        return s.append(']').toString();
    }
}
