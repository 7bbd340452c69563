package io.dmazone.vm;

/** The nested scenarios the main job and the tests share. */
public final class Scenarios {
    private Scenarios() {
    }

    /**
     * L2 (512 MiB) gets L1's e1000e through vfio-pci and the stock e1000e driver,
     * brings the link up and holds it 6 s while L1 samples: the baseline each
     * vIOMMU mode is compared with.
     */
    public static NestedSpec stockE1000e(String name, Viommu l2Viommu) {
        return NestedSpec.builder(name)
                .l2MemoryMiB(512)
                .l2Viommu(l2Viommu)
                .passthrough(GuestDevice.E1000E)
                .l2Module(NestedSpec.E1000E_MODULE)
                .l2Command(L2Commands.e1000eUp(6))
                .build();
    }

    /**
     * L2 (512 MiB) gets L1's e1000e through vfio-pci, loads dmazone.ko (a 16 MiB zone
     * built from pages, which needs the vIOMMU) and the e1000e patched to keep its
     * rings and buffers in the zone, brings the link up and holds it 6 s.
     */
    public static NestedSpec zoneE1000e(String name, Viommu l2Viommu) {
        return NestedSpec.builder(name)
                .l2MemoryMiB(512)
                .l2Viommu(l2Viommu)
                .passthrough(GuestDevice.E1000E)
                .l2Module(Project.root().resolve("kmod/dmazone.ko").toString())
                .l2Module(Project.root().resolve("guest-driver/build/e1000e.ko").toString())
                .l2Command(L2Commands.zoneE1000eUp(6))
                .build();
    }
}
