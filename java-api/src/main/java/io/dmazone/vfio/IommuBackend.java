package io.dmazone.vfio;

import io.dmazone.jni.Natives;

/**
 * The IOMMU backend a {@link DmaSpace} uses, chosen as a value (the kernel's VFIO
 * selftests treat IOMMU modes as data the same way). Tests run over every entry with
 * {@code @EnumSource}.
 *
 * <p>Only the legacy container/group interface is implemented; iommufd (an IOAS behind
 * {@code /dev/iommu}) will be another entry with {@link Family#IOMMUFD} once a test
 * kernel with {@code CONFIG_IOMMUFD} exists.
 */
public enum IommuBackend {
    /** {@code VFIO_TYPE1_IOMMU}: the original type1; unmap may split mappings. */
    TYPE1(Family.VFIO_CONTAINER, Natives.VFIO_TYPE1_IOMMU, "VFIO_TYPE1_IOMMU"),
    /** {@code VFIO_TYPE1v2_IOMMU}: unmaps whole mappings only; what QEMU uses. */
    TYPE1V2(Family.VFIO_CONTAINER, Natives.VFIO_TYPE1V2_IOMMU, "VFIO_TYPE1v2_IOMMU");

    /** The kernel interface family behind a backend. */
    public enum Family {
        /** {@code /dev/vfio/vfio} container with {@code /dev/vfio/N} groups. */
        VFIO_CONTAINER,
        /** {@code /dev/iommu} IOAS with vfio device cdevs (not implemented yet). */
        IOMMUFD
    }

    private final Family family;
    private final int kernelType;
    private final String kernelName;

    IommuBackend(Family family, int kernelType, String kernelName) {
        this.family = family;
        this.kernelType = kernelType;
        this.kernelName = kernelName;
    }

    /** Its interface family. */
    public Family family() {
        return family;
    }

    /** The value passed to {@code VFIO_SET_IOMMU} / {@code VFIO_CHECK_EXTENSION}. */
    public int kernelType() {
        return kernelType;
    }

    /** The kernel's name for it, e.g. {@code "VFIO_TYPE1v2_IOMMU"}. */
    public String kernelName() {
        return kernelName;
    }

    /**
     * Parses {@code "type1"}, {@code "type1v2"} (any case, also with {@code _} or {@code -}).
     *
     * @throws IllegalArgumentException listing the accepted names
     */
    public static IommuBackend parse(String text) {
        String s = text == null ? "" : text.strip().toUpperCase(java.util.Locale.ROOT).replace("-", "").replace("_", "");
        for (IommuBackend b : values()) {
            if (b.name().equals(s)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown IOMMU backend \"" + text + "\"; use type1 or type1v2 "
                + "(iommufd is not supported yet: the test kernel has CONFIG_IOMMUFD unset)");
    }
}
