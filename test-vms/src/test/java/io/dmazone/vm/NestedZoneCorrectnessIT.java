package io.dmazone.vm;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The zone mode's correctness, nested, with the patched e1000e: besides what
 * {@link NestedZoneReloadChecks} checks, an injected out-of-zone RX descriptor.
 */
class NestedZoneCorrectnessIT extends NestedZoneReloadChecks {
    @Override
    NestedSpec spec() {
        return Scenarios.zoneCorrectness("nested-zone-correctness", CYCLES, L2Driver.PATCHED);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fault_armed", "fault_descriptor_completed_and_reposted", "fault_target_outside_zone",
        "fault_memory_unchanged", "fault_driver_recovered_log"})
    void anOutOfZoneRxDescriptorIsBlockedAndRecoveredFrom(String check) {
        passed(l2, "L2", check);
    }

    /**
     * The NIC's DMA is translated by L1's IOMMU, with what L2's QEMU mapped there, so the
     * blocked write is reported in L1; L2's vIOMMU never sees it.
     */
    @Test
    void l1sIommuRefusedTheWriteAtTheDescriptorsTarget() {
        passed(l1, "L1", "fault_blocked_by_iommu");
    }

    @Test
    void trafficResumesAfterTheFault() {
        passed(l1, "L1", "fault_traffic_resumes");
        passed(l1, "L1", "fault_traffic_resumes_flood");
    }
}
