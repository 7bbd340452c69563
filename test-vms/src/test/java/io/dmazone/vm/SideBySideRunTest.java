package io.dmazone.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading l1-side-by-side.sh's events. */
class SideBySideRunTest {
    @Test
    void idleSharesAreEachLanesCpuOverTheTurnsItWaitedThrough() {
        Map<String, Double> shares = SideBySideRun.idleCpuShares(List.of(
                "1000 idle-ticks round 1 turn a ms 10000 clk_tck 100 b 50 c 0",
                "2000 idle-ticks round 1 turn b ms 30000 clk_tck 100 a 300 c 30",
                "3000 idle-ticks round 1 turn c ms 10000 clk_tck 100 a 100 b 150"));
        assertThat(shares.get("a")).as("4 s over 40 s").isCloseTo(0.1, within(1e-12));
        assertThat(shares.get("b")).as("2 s over 20 s").isCloseTo(0.1, within(1e-12));
        assertThat(shares.get("c")).as("0.3 s over 40 s").isCloseTo(0.0075, within(1e-12));
    }

    @Test
    void aSingleLaneWaitsForNobody() {
        assertThat(SideBySideRun.idleCpuShares(List.of("1000 idle-ticks round 1 turn a ms 10000 clk_tck 100")))
                .isEmpty();
    }

    @Test
    void aLineOfAnotherShapeIsRefusedWithTheLine() {
        assertThatThrownBy(() -> SideBySideRun.idleCpuShares(List.of("1000 idle-ticks round 1 turn a")))
                .hasMessageContaining("not an idle-ticks event: 1000 idle-ticks round 1 turn a");
    }
}
