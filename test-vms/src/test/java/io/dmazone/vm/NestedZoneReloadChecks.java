package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every nested zone correctness run must show, whichever driver keeps L2's e1000e in the
 * zone (one L1 + L2 boot, intel-iommu in L2, 64 MiB zone, the e1000e passed through and talking
 * to L1 over the outer QEMU's hub): traffic without IOMMU faults in L1 (where the NIC's DMA is
 * translated) and without trouble in L2's kernel log, {@value #CYCLES} reload cycles with L1's
 * pinned memory read after each, and L2's QEMU killed (the streams complete: {@link
 * NestedRunChecks}). Each subclass runs one {@link Scenarios#zoneCorrectness} and adds the
 * checks of its driver.
 */
abstract class NestedZoneReloadChecks extends NestedRunChecks {
    static final int CYCLES = 10;
    /**
     * L1's FOLL_PIN counters are system-wide: file I/O on L1's 9p shares pins the user
     * pages it moves while it is in flight, so a sample may count a few pages that are
     * not L2's. 1 MiB of them, against a 64 MiB zone and 256 MiB of L2 RAM.
     */
    private static final long IN_FLIGHT_IO_PAGES = 256;

    /** The run's name and driver: {@code Scenarios.zoneCorrectness(name, CYCLES, driver)}. */
    @Override
    abstract NestedSpec spec();

    @Test
    void zoneAttachedAndTrafficFlowsWithoutL1IommuFaultsOrL2KernelTrouble() {
        passed(l2, "L2", "zone-attached");
        passed(l2, "L2", "zone_nic_up");
        for (String check : List.of("traffic_ping_flood", "traffic_iperf3_l2rx", "traffic_iperf3_l2tx")) {
            passed(l1, "L1", check);
        }
        passed(l2, "L2", "traffic_l2_kernel_log_clean");
        passed(l1, "L1", "traffic_no_l1_iommu_faults");
    }

    @Test
    void tenReloadCyclesKeepL1PinnedMemoryAtTheZone() {
        passed(l2, "L2", "reload_cycles");
        passed(l1, "L1", "reload_pinned_stays_zone");
        List<Long> series = List.of(l1.value("reload_vmlck_kib").orElseThrow().split(" ")).stream()
                .map(Long::parseLong).toList();
        assertThat(series).hasSize(CYCLES).allSatisfy(kib -> assertThat(kib)
                .isPositive().isLessThanOrEqualTo((long) (1.01 * Scenarios.MATRIX_ZONE_KIB)));
    }

    @Test
    void killingL2sQemuReleasesItsPinsAndFreesTheDevice() {
        passed(l1, "L1", "l2_at_kill");
        passed(l1, "L1", "kill_releases_pins");
        passed(l1, "L1", "repass_device");
        passed(l1, "L1", "repass_released");
        long before = Long.parseLong(l1.value("pinned_pages_before_l2").orElseThrow());
        long during = Long.parseLong(l1.value("pinned_pages_during_l2").orElseThrow());
        long zonePages = Scenarios.MATRIX_ZONE_KIB / 4;
        assertThat(during - before).as("pages L2's QEMU had pinned (the zone: %d pages)", zonePages)
                .isBetween(zonePages - IN_FLIGHT_IO_PAGES, zonePages + IN_FLIGHT_IO_PAGES);
    }
}
