package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import io.dmazone.measure.FootprintTable;
import io.dmazone.zone.VIommu;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Test 3: L2 with intel-iommu (caching mode) and the stock e1000e. L1 pins all of
 * L2's RAM until L2 enables DMAR, then only what the driver maps: the samples must show
 * both, and the steady value must be small.
 */
@Tag("vm")
class NestedIntelIommuIT {
    private static NestedResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void run() {
        result = NestedRun.run(Scenarios.stockE1000e("nested-intel-iommu", VIommu.INTEL_IOMMU));
        checks = GuestChecks.parse(result.l2Output());
        System.out.println(FootprintTable.render(List.of(result)));
    }

    @Test
    void l2RanItsCommandWithTheNicUp() {
        assertThat(result.l2ExitStatus()).as("L2 exit status; L2 output:%n%s", result.l2Output()).isZero();
        assertThat(checks.check("e1000e-link-up"))
                .hasValueSatisfying(c -> assertThat(c.passed()).as(c.detail()).isTrue());
    }

    @Test
    void steadyPinnedIsUnderAQuarterOfL2RamOnceE1000eIsUp() {
        assertThat(result.steady()).as("a sample while L2's command ran").isNotNull();
        assertThat(result.steady().vmLckKiB()).isLessThan(result.l2MemoryKiB() / 4);
    }

    /**
     * intel-iommu translates nothing until L2 turns DMAR on, so L2's QEMU maps (and L1 pins)
     * all of L2's RAM from its start; once DMAR is on the device's address space is empty
     * but for what the driver maps. Read from the samples: the boot reaches all of L2's RAM,
     * then drops below a quarter of it before L2's command starts, and the peak is that
     * boot figure, not a traffic one.
     */
    @Test
    void allOfL2sRamIsPinnedUntilDmarIsOnThenTheFootprintDrops() {
        long ram = result.l2MemoryKiB();
        List<PinnedSample> boot = result.samples().stream().filter(s -> s.phase().equals("boot")).toList();
        int full = indexOf(boot, s -> s.vmLckKiB() >= ram);
        assertThat(full).as("a boot sample with all of L2's %d KiB pinned; samples: %s", ram, boot)
                .isNotNegative();
        List<PinnedSample> afterFull = boot.subList(full, boot.size());
        int drop = indexOf(afterFull, s -> s.vmLckKiB() < ram / 4);
        assertThat(drop).as("a boot sample after %d ms below a quarter of L2's RAM (DMAR on); samples: %s",
                boot.get(full).millis(), afterFull).isNotNegative();
        System.out.printf("nested-intel-iommu: all of L2's RAM pinned from %d ms, dropped to %d KiB at %d ms "
                + "(L2's command started at %.1f s)%n", boot.get(full).millis(), afterFull.get(drop).vmLckKiB(),
                afterFull.get(drop).millis(), result.l2BootWallSeconds());
        assertThat(result.peak().vmLckKiB()).as("peak").isGreaterThanOrEqualTo(ram)
                .isEqualTo(boot.stream().mapToLong(PinnedSample::vmLckKiB).max().orElseThrow());
    }

    private static int indexOf(List<PinnedSample> samples, Predicate<PinnedSample> p) {
        for (int i = 0; i < samples.size(); i++) {
            if (p.test(samples.get(i))) {
                return i;
            }
        }
        return -1;
    }
}
