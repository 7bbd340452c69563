package io.dmazone.vm;

import org.junit.jupiter.api.Test;

/**
 * dmazone's DMA ops, nested: L2 runs the stock e1000e, selected for transparent mode before
 * the driver probes, under intel-iommu. Besides what {@link NestedZoneReloadChecks} checks
 * (traffic, pinned = zone through {@value #CYCLES} cycles, which here also unbind and bind
 * the driver), the traffic went through the DMA ops with no map refused.
 */
class NestedDmaOpsIT extends NestedZoneReloadChecks {
    @Override
    NestedSpec spec() {
        return Scenarios.zoneCorrectness("nested-dma-ops", CYCLES, L2Driver.STOCK_DMA_OPS);
    }

    @Test
    void theStockDriverWasSelectedBeforeItProbedAndItsTrafficWentThroughTheDmaOps() {
        passed(l2, "L2", "dma_ops_selected");
        passed(l2, "L2", "stock_e1000e_loaded");
        passed(l2, "L2", "traffic_through_dma_ops");
    }
}
