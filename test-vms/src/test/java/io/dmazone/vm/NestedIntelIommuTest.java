package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Test 3: L2 with intel-iommu (caching mode) and the stock e1000e. L1 pins all of
 * L2's RAM until L2 enables DMAR, then only what the driver maps: the peak is a
 * finding the report shows, the steady value must be small.
 */
class NestedIntelIommuTest {
    private static NestedResult result;
    private static GuestChecks checks;

    @BeforeAll
    static void run() {
        result = NestedRun.run(Scenarios.stockE1000e("nested-intel-iommu", Viommu.INTEL));
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

    @Test
    void peakIsMeasuredAndReported() {
        assertThat(result.peak()).isNotNull();
        assertThat(result.peak().vmLckKiB()).isGreaterThanOrEqualTo(result.steady().vmLckKiB());
        assertThat(result.samples()).hasSizeGreaterThan(10);
    }
}
