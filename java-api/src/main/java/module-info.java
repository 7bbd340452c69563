/**
 * dmazone's Java API: VFIO type1 handles, vfio-pci binding through sysfs, pinned-footprint
 * readings and DMA zone plans. {@code io.dmazone.internal} is not exported.
 */
module io.dmazone {
    requires io.dmazone.jni;

    exports io.dmazone;
    exports io.dmazone.memory;
    exports io.dmazone.sysfs;
    exports io.dmazone.vfio;
    exports io.dmazone.zone;
}
