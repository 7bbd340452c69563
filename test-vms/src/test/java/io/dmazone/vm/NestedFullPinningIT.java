package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dmazone.measure.FootprintTable;
import io.dmazone.zone.VIommu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Test 2, the baseline: L2 without a vIOMMU gets the e1000e through vfio-pci,
 * so L1 pins all of L2's RAM.
 */
@Tag("vm")
class NestedFullPinningIT {
    private static NestedResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void run() {
        result = NestedRun.run(Scenarios.stockE1000e("nested-full-pin", VIommu.NONE));
        checks = GuestChecks.parse(result.l2Output());
        System.out.println(FootprintTable.render(java.util.List.of(result)));
    }

    @Test
    void l2RanItsCommand() {
        assertThat(result.l2ExitStatus()).as("L2 exit status; L2 output:%n%s", result.l2Output()).isZero();
    }

    @Test
    void stockE1000eBoundThePassedThroughNic() {
        assertThat(checks.check("e1000e-bound"))
                .hasValueSatisfying(c -> assertThat(c.passed()).as(c.detail()).isTrue());
        assertThat(checks.check("e1000e-link-up"))
                .hasValueSatisfying(c -> assertThat(c.passed()).as(c.detail()).isTrue());
    }

    @Test
    void steadyPinnedIsAllOfL2Ram() {
        assertThat(result.steady()).as("a sample while L2's command ran").isNotNull();
        assertThat((double) result.steady().vmLckKiB())
                .isCloseTo(result.l2MemoryKiB(), within(0.02 * result.l2MemoryKiB()));
    }
}
