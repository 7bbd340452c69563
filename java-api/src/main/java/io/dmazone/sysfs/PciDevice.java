package io.dmazone.sysfs;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A PCI device as sysfs shows it at one moment.
 *
 * @param address    its address
 * @param vendorId   PCI vendor id
 * @param deviceId   PCI device id
 * @param classCode  24-bit class code
 * @param driver     the bound driver's name, if any
 * @param iommuGroup its IOMMU group, if the device has one (no IOMMU: none)
 */
public record PciDevice(PciAddress address, int vendorId, int deviceId, int classCode,
                        Optional<String> driver, OptionalInt iommuGroup) {
    /** Validates. */
    public PciDevice {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(driver, "driver (use Optional.empty() for none)");
        Objects.requireNonNull(iommuGroup, "iommuGroup (use OptionalInt.empty() for none)");
        if (vendorId < 0 || vendorId > 0xffff || deviceId < 0 || deviceId > 0xffff) {
            throw new IllegalArgumentException("PCI ids are 16-bit; got " + Integer.toHexString(vendorId)
                    + ":" + Integer.toHexString(deviceId));
        }
    }

    /** True when bound to vfio-pci. */
    public boolean boundToVfioPci() {
        return driver.filter(PciSysfs.VFIO_PCI::equals).isPresent();
    }

    /** {@code "1234:11e8"}. */
    public String ids() {
        return String.format("%04x:%04x", vendorId, deviceId);
    }

    /** How the device's binding reads in messages: {@code "bound to ahci"} or {@code "not bound to any driver"}. */
    public String bindingDescription() {
        return driver.map(d -> "bound to " + d).orElse("not bound to any driver");
    }
}
