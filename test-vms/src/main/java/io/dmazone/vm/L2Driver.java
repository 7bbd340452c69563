package io.dmazone.vm;

/** Which e1000e driver an L2 runs for its passed-through NIC, and how its DMA reaches the zone. */
public enum L2Driver {
    /** The test kernel's own e1000e, no zone: its DMA goes wherever the DMA API puts it. */
    STOCK,
    /** dmazone.ko and the patched e1000e, which keeps its buffers in the zone by dmazone's API. */
    PATCHED,
    /**
     * dmazone.ko's transparent mode serving the stock e1000e's DMA API from the zone: L2's
     * command selects the NIC, then loads the driver (l2-dma-ops-select.sh).
     */
    STOCK_DMA_OPS;

    /** Whether L2 runs dmazone.ko and has a zone. */
    public boolean zone() {
        return this != STOCK;
    }
}
