package io.dmazone.vfio;

import io.dmazone.jni.Natives;

/**
 * {@code VFIO_DEVICE_GET_INFO}.
 *
 * @param flags      {@code VFIO_DEVICE_FLAGS_*}
 * @param numRegions number of regions (for PCI: BAR0..5, ROM, config, VGA)
 * @param numIrqs    number of IRQ indexes
 */
public record DeviceInfo(long flags, int numRegions, int numIrqs) {
    /** Validates. */
    public DeviceInfo {
        if (numRegions < 0 || numIrqs < 0) {
            throw new IllegalArgumentException("region and IRQ counts cannot be negative");
        }
    }

    /** True when the device supports {@code VFIO_DEVICE_RESET}. */
    public boolean resettable() {
        return (flags & Natives.VFIO_DEVICE_FLAGS_RESET) != 0;
    }

    /** True for a vfio-pci device. */
    public boolean pci() {
        return (flags & Natives.VFIO_DEVICE_FLAGS_PCI) != 0;
    }
}
