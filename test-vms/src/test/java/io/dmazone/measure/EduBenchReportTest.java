package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.dmazone.vm.L2Commands;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The edu benchmark's arithmetic: per round-trip figures, medians, the zone's ratios and verdicts. */
class EduBenchReportTest {

    /** Rounds of 100 round trips taking these many seconds each, 0.5 s of CPU, 400 map calls. */
    private static EduBenchRun run(EduBenchMode mode, double... seconds) {
        List<EduRound> rounds = Arrays.stream(seconds)
                .mapToObj(s -> new EduRound(100, s, 0.5, mode == EduBenchMode.VIOMMU_DYNAMIC ? 400 : 0,
                        new InsnCounts(Map.of("kernel", 100_000L, "user", 0L))))
                .toList();
        return new EduBenchRun(mode, rounds, List.of(), null);
    }

    @Test
    void aRoundGivesItsRatePerSecondAndItsCostPerRoundTrip() {
        EduRound round = new EduRound(100, 2.0, 0.5, 400, new InsnCounts(Map.of("kernel", 250_000L)));
        assertThat(round.transfersPerSecond()).isEqualTo(50.0);
        assertThat(round.cpuMicrosecondsPerTransfer()).isCloseTo(5000.0, within(1e-9));
        assertThat(round.mapCallsPerTransfer()).isEqualTo(4.0);
        assertThat(round.instructionsPerTransfer()).isEqualTo(2500.0);
        assertThat(new EduRound(100, 2.0, 0.5, 0, null).instructionsPerTransfer()).isNaN();
        assertThat(new EduRound(100, 0, 0.5, 0, null).transfersPerSecond()).as("no interval on the host's clock")
                .isNaN();
    }

    @Test
    void theZoneIsJudgedAgainstDynamicAndFullPinningRoundByRound() {
        EduBenchReport report = EduBenchReport.of(100, List.of(
                run(EduBenchMode.FULL_PINNING, 1, 1, 1, 1, 1, 1),
                run(EduBenchMode.VIOMMU_DYNAMIC, 20, 22, 18, 20, 21, 19),
                run(EduBenchMode.ZONE, 1, 1.02, 0.98, 1, 1.01, 0.99)));

        assertThat(report.modes()).extracting(EduBenchReport.ModeFigures::transfersPerSecond)
                .satisfiesExactly(r -> assertThat(r).isEqualTo(100.0), r -> assertThat(r).isCloseTo(5.0, within(0.01)),
                        r -> assertThat(r).isCloseTo(100.0, within(0.01)));
        assertThat(report.modes().get(1).mapCallsPerTransfer()).isEqualTo(4.0);
        assertThat(report.modes().get(0).transfersPerSecondLow()).as("6 rounds give an interval").isEqualTo(100.0);
        assertThat(report.ratios()).extracting(EduBenchReport.Ratio::baseline)
                .containsExactly("full pinning", "vIOMMU dynamic");
        EduBenchReport.Ratio perFull = report.ratios().get(0);
        EduBenchReport.Ratio perDynamic = report.ratios().get(1);
        assertThat(perDynamic.pairs()).isEqualTo(6);
        assertThat(perDynamic.ratio()).isCloseTo(20.0, within(0.2));
        assertThat(perDynamic.verdict()).as("every round's ratio above 10").isEqualTo(Verdict.MET);
        assertThat(perFull.verdict()).as("0.98 to 1.02 straddles nothing below 0.95").isEqualTo(Verdict.MET);
        assertThat(EduBenchTable.render(report)).contains("edu round trips", "vIOMMU dynamic", "met");
    }

    @Test
    void aZoneSlowerThanTenTimesDynamicMissesAndTwoRoundsDecideNothing() {
        EduBenchRun dynamic = run(EduBenchMode.VIOMMU_DYNAMIC, 2, 2, 2, 2, 2, 2);
        assertThat(EduBenchReport.of(100, List.of(dynamic, run(EduBenchMode.ZONE, 1, 1, 1, 1, 1, 1))).ratios())
                .singleElement().satisfies(r -> assertThat(r.verdict()).isEqualTo(Verdict.MISSED));
        assertThat(EduBenchReport.of(100, List.of(run(EduBenchMode.VIOMMU_DYNAMIC, 20, 20),
                run(EduBenchMode.ZONE, 1, 1))).ratios())
                .singleElement().satisfies(r -> assertThat(r.verdict()).isEqualTo(Verdict.UNRESOLVED));
        assertThat(EduBenchReport.of(100, List.of(dynamic)).ratios()).as("no zone, no ratio").isEmpty();
    }

    @Test
    void aBenchOutsideTheClientsLimitsIsRefusedBeforeAnyBoot() {
        assertThatThrownBy(() -> L2Commands.eduBench(true, 0, 10)).hasMessageContaining("at least one round");
        assertThatThrownBy(() -> L2Commands.eduBench(true, 1, L2Commands.EDU_BENCH_MAX_TRANSFERS + 1))
                .hasMessageContaining("the test client's limit");
        assertThat(L2Commands.eduBench(false, 3, 50)).contains("EDU_ROUNDS=3\nEDU_TRANSFERS=50\nEDU_ZONE=0\n");
    }
}
