package io.dmazone.zone;

import java.util.ArrayList;
import java.util.List;

/**
 * The vIOMMU a guest gets: the one table of them, for zone plans, the test harness and the
 * command. {@link #NONE} is the full-pinning baseline.
 */
public enum VIommu {
    /** No vIOMMU: the host pins all guest RAM (the baseline dmazone is measured against). */
    NONE("none", "none", List.of(), List.of(), false,
            "Without a vIOMMU QEMU pins all guest RAM at startup and keeps it pinned: this is the "
                    + "full-pinning baseline, not a zone."),
    /**
     * QEMU's intel-iommu with caching mode (required for vfio-pci, so QEMU sees and mirrors
     * every mapping the guest makes) and interrupt remapping. Peak pinning: all guest RAM
     * per assigned device until the guest enables DMAR.
     */
    INTEL_IOMMU("intel", "intel-iommu", List.of("intel-iommu,intremap=on,caching-mode=on"), List.of("intel_iommu=on"),
            false, "QEMU pins all guest RAM for each device at startup, until the guest turns DMAR on and maps "
                    + "only the zone, so the startup peak is the budget."),
    /**
     * virtio-iommu with boot-bypass off: nothing is reachable, so nothing is pinned, before the
     * guest maps its zone. SeaBIOS stalls about 65 s when its DMA is blocked, so the guest
     * boots qboot ({@code -bios /usr/share/qemu/qboot.rom}).
     */
    VIRTIO_IOMMU("virtio", "virtio-iommu,boot-bypass=off", List.of("virtio-iommu-pci,boot-bypass=off"), List.of(), true,
            "With boot-bypass off QEMU pins nothing at startup; the guest maps the zone once, so the peak "
                    + "is the zone for each device."),
    /**
     * virtio-iommu with QEMU's default boot-bypass=on: all RAM is reachable, and pinned, until
     * the guest attaches the device to a domain.
     */
    VIRTIO_IOMMU_BOOT_BYPASS("virtio-bypass", "virtio-iommu", List.of("virtio-iommu-pci"), List.of(), false,
            "With QEMU's default boot-bypass=on the device reaches all guest RAM until the guest attaches it, "
                    + "so QEMU pins all of it at startup.");

    private final String cliName;
    private final String label;
    private final List<String> devices;
    private final List<String> kernelParams;
    private final boolean needsQboot;
    private final String startupPeak;

    VIommu(String cliName, String label, List<String> devices, List<String> kernelParams, boolean needsQboot,
           String startupPeak) {
        this.cliName = cliName;
        this.label = label;
        this.devices = devices;
        this.kernelParams = kernelParams;
        this.needsQboot = needsQboot;
        this.startupPeak = startupPeak;
    }

    /** The {@code -device} values for QEMU. */
    public List<String> qemuDevices() {
        return devices;
    }

    /** The QEMU arguments that add it: {@code -device VALUE} for each of {@link #qemuDevices()}. */
    public List<String> qemuArgs() {
        List<String> args = new ArrayList<>();
        for (String d : devices) {
            args.add("-device");
            args.add(d);
        }
        return List.copyOf(args);
    }

    /** Guest kernel parameters that turn it on. */
    public List<String> kernelParams() {
        return kernelParams;
    }

    /** Whether the guest must boot qboot instead of SeaBIOS (which stalls when its DMA is blocked). */
    public boolean needsQboot() {
        return needsQboot;
    }

    /** One sentence on what QEMU pins at startup with this vIOMMU, for people planning a budget. */
    public String startupPeak() {
        return startupPeak;
    }

    /** The short name users write: {@code none}, {@code intel}, {@code virtio} or {@code virtio-bypass}. */
    public String cliName() {
        return cliName;
    }

    /** The name reports use: the QEMU device and the options that matter, e.g. {@code virtio-iommu,boot-bypass=off}. */
    public String label() {
        return label;
    }

    /**
     * The vIOMMU named {@code none}, {@code intel}, {@code virtio} or {@code virtio-bypass}
     * (or the constant's name).
     *
     * @throws IllegalArgumentException listing the names
     */
    public static VIommu parse(String name) {
        for (VIommu v : values()) {
            if (v.cliName.equalsIgnoreCase(name) || v.name().equalsIgnoreCase(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown vIOMMU \"" + name + "\"; use one of none, intel, virtio, virtio-bypass");
    }

    @Override
    public String toString() {
        return label;
    }
}
