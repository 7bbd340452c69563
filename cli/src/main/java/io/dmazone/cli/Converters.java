package io.dmazone.cli;

import io.dmazone.Sizes;
import io.dmazone.sysfs.PciAddress;
import io.dmazone.zone.VIommu;
import io.dmazone.zone.ZoneSpec;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Option values parsed by the API's own parsers, their messages kept. */
final class Converters {
    private Converters() {
    }

    /** {@code 64M}, {@code 2G}, {@code 0x4000000}. */
    static final class Size implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Sizes.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code SIZE@BASE} or {@code SIZE}. */
    static final class Zone implements ITypeConverter<ZoneSpec> {
        @Override
        public ZoneSpec convert(String value) {
            try {
                return ZoneSpec.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code 0000:00:09.0} or {@code 00:09.0}. */
    static final class Pci implements ITypeConverter<PciAddress> {
        @Override
        public PciAddress convert(String value) {
            try {
                return PciAddress.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** {@code intel}, {@code virtio}, {@code none}. */
    static final class Viommu implements ITypeConverter<VIommu> {
        @Override
        public VIommu convert(String value) {
            try {
                return VIommu.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
