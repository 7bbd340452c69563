package io.dmazone.vm;

import java.util.List;

/**
 * The virtual IOMMU a guest gets, as data: the QEMU device, its options and
 * what the guest kernel needs to use it.
 */
public enum Viommu {
    /** No IOMMU: assigned devices reach all guest RAM, so the host pins all of it. */
    NONE("none", List.of(), List.of(), false),
    /**
     * Intel VT-d emulation with caching mode, so QEMU sees (and mirrors to VFIO)
     * every mapping the guest makes. Maps all RAM until the guest enables DMAR.
     */
    INTEL("intel-iommu", List.of("-device", "intel-iommu,intremap=on,caching-mode=on"),
            List.of("intel_iommu=on"), false),
    /** virtio-iommu with QEMU's default boot-bypass=on: all RAM is reachable until the guest attaches a domain. */
    VIRTIO("virtio-iommu", List.of("-device", "virtio-iommu-pci"), List.of(), false),
    /**
     * virtio-iommu with boot-bypass=off: nothing is reachable, so nothing is pinned, before the
     * guest sets up its IOMMU. SeaBIOS stalls about 65 s when its DMA is blocked, so this
     * one boots qboot.
     */
    VIRTIO_NO_BOOT_BYPASS("virtio-iommu,boot-bypass=off",
            List.of("-device", "virtio-iommu-pci,boot-bypass=off"), List.of(), true);

    private final String label;
    private final List<String> qemuArgs;
    private final List<String> kernelArgs;
    private final boolean needsQboot;

    Viommu(String label, List<String> qemuArgs, List<String> kernelArgs, boolean needsQboot) {
        this.label = label;
        this.qemuArgs = qemuArgs;
        this.kernelArgs = kernelArgs;
        this.needsQboot = needsQboot;
    }

    /** The name reports use: the QEMU device and the options that matter. */
    public String label() {
        return label;
    }

    /** QEMU arguments that add this IOMMU (empty for {@link #NONE}). */
    public List<String> qemuArgs() {
        return qemuArgs;
    }

    /** Guest kernel arguments the IOMMU needs to be used. */
    public List<String> kernelArgs() {
        return kernelArgs;
    }

    /** Whether the guest must boot qboot instead of SeaBIOS. */
    public boolean needsQboot() {
        return needsQboot;
    }
}
