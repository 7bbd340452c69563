package io.dmazone.zone;

import java.util.List;
import java.util.Locale;

/** The vIOMMU a zone plan gives the guest; {@link #NONE} is the full-pinning baseline. */
public enum VIommu {
    /**
     * QEMU's intel-iommu with caching mode (required for vfio-pci) and interrupt remapping.
     * Peak pinning: all guest RAM per assigned device until the guest enables DMAR.
     */
    INTEL_IOMMU("intel", List.of("intel-iommu,intremap=on,caching-mode=on"), List.of("intel_iommu=on"),
            "QEMU pins all guest RAM for each device at startup, until the guest turns DMAR on and maps "
                    + "only the zone, so the startup peak is the budget."),
    /**
     * virtio-iommu with boot-bypass off: nothing is pinned until the guest maps its zone.
     * Boot with qboot ({@code -bios /usr/share/qemu/qboot.rom}): SeaBIOS stalls ~65 s when
     * its DMA is blocked.
     */
    VIRTIO_IOMMU("virtio", List.of("virtio-iommu-pci,boot-bypass=off"), List.of(),
            "With boot-bypass off QEMU pins nothing at startup; the guest maps the zone once, so the peak "
                    + "is the zone for each device."),
    /** No vIOMMU: the host pins all guest RAM (the baseline dmazone is measured against). */
    NONE("none", List.of(), List.of(),
            "Without a vIOMMU QEMU pins all guest RAM at startup and keeps it pinned: this is the "
                    + "full-pinning baseline, not a zone.");

    private final String cliName;
    private final List<String> devices;
    private final List<String> kernelParams;
    private final String startupPeak;

    VIommu(String cliName, List<String> devices, List<String> kernelParams, String startupPeak) {
        this.cliName = cliName;
        this.devices = devices;
        this.kernelParams = kernelParams;
        this.startupPeak = startupPeak;
    }

    /** The {@code -device} values for QEMU. */
    public List<String> qemuDevices() {
        return devices;
    }

    /** Guest kernel parameters that turn it on. */
    public List<String> kernelParams() {
        return kernelParams;
    }

    /** One sentence on what QEMU pins at startup with this vIOMMU, for people planning a budget. */
    public String startupPeak() {
        return startupPeak;
    }

    /** The short name users write: {@code intel}, {@code virtio} or {@code none}. */
    public String cliName() {
        return cliName;
    }

    /**
     * The vIOMMU named {@code intel}, {@code virtio} or {@code none} (or the constant's name).
     *
     * @throws IllegalArgumentException listing the names
     */
    public static VIommu parse(String name) {
        for (VIommu v : values()) {
            if (v.cliName.equalsIgnoreCase(name) || v.name().equalsIgnoreCase(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown vIOMMU \"" + name + "\"; use one of intel, virtio, none");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
