package io.dmazone.sysfs;

import java.util.List;
import java.util.Objects;

/**
 * An IOMMU group: the devices that the IOMMU cannot tell apart and that VFIO therefore
 * hands out together.
 *
 * @param number  the group number ({@code /dev/vfio/<number>})
 * @param devices its devices, sorted by address
 */
public record IommuGroup(int number, List<PciDevice> devices) {
    /** Validates and copies. */
    public IommuGroup {
        if (number < 0) {
            throw new IllegalArgumentException("IOMMU group number " + number + " is negative; see /sys/kernel/iommu_groups");
        }
        devices = List.copyOf(Objects.requireNonNull(devices, "devices"));
    }

    /**
     * Devices that keep the group from being viable for VFIO: those bound to a driver
     * other than vfio-pci or pci-stub. (Unbound devices do not block it.)
     */
    public List<PciDevice> blockers() {
        return devices.stream()
                .filter(d -> d.driver().isPresent())
                .filter(d -> !d.boundToVfioPci() && !d.driver().get().equals("pci-stub"))
                .toList();
    }
}
