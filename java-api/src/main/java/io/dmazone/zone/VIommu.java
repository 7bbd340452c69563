package io.dmazone.zone;

import java.util.List;

/** The vIOMMU a zone plan gives the guest; {@link #NONE} is the full-pinning baseline. */
public enum VIommu {
    /**
     * QEMU's intel-iommu with caching mode (required for vfio-pci) and interrupt remapping.
     * Peak pinning: all guest RAM per assigned device until the guest enables DMAR.
     */
    INTEL_IOMMU(List.of("intel-iommu,intremap=on,caching-mode=on"), List.of("intel_iommu=on")),
    /**
     * virtio-iommu with boot-bypass off: nothing is pinned until the guest maps its zone.
     * Boot with qboot ({@code -bios /usr/share/qemu/qboot.rom}): SeaBIOS stalls ~65 s when
     * its DMA is blocked.
     */
    VIRTIO_IOMMU(List.of("virtio-iommu-pci,boot-bypass=off"), List.of()),
    /** No vIOMMU: the host pins all guest RAM (the baseline dmazone is measured against). */
    NONE(List.of(), List.of());

    private final List<String> devices;
    private final List<String> kernelParams;

    VIommu(List<String> devices, List<String> kernelParams) {
        this.devices = devices;
        this.kernelParams = kernelParams;
    }

    /** The {@code -device} values for QEMU. */
    public List<String> qemuDevices() {
        return devices;
    }

    /** Guest kernel parameters that turn it on. */
    public List<String> kernelParams() {
        return kernelParams;
    }
}
