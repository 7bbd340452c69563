package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** L2's instructions per byte in the report: medians by part, the target over full pinning, the projection. */
class InstructionFiguresTest {
    private static final long ZONE = 64L << 20;
    /** Each way of each round moves 10^7 bytes. */
    private static final long BYTES_PER_RUN = 10_000_000L;

    /** A round of 10^7 bytes each way, L2 running {@code rx} and {@code tx} instructions per byte, a fifth of them user. */
    private static TrafficRound round(double rx, double tx) {
        IperfRun run = new IperfRun(BYTES_PER_RUN, 10, 8e6, 0);
        return new TrafficRound(run, run, 1, 1, counts(rx), counts(tx));
    }

    private static InsnCounts counts(double perByte) {
        long total = Math.round(perByte * BYTES_PER_RUN);
        return new InsnCounts(Map.of("user", total / 5, "kernel", total - total / 5));
    }

    private static ModeMeasurement mode(MatrixMode mode, List<TrafficRound> rounds, long mapCalls) {
        return new ModeMeasurement(mode, mode.zone() ? ZONE : 0, 1, 1, rounds, 0L, mapCalls / 2, mapCalls / 2, 90,
                List.of(), null);
    }

    private static List<TrafficRound> rounds(double... perByteBothWays) {
        return java.util.Arrays.stream(perByteBothWays).mapToObj(i -> round(i, i)).toList();
    }

    @Test
    void eachDirectionHasItsMedianAndEachPartsMedian() {
        ModeMeasurement full = mode(MatrixMode.FULL_PINNING, List.of(round(10, 20), round(12, 24), round(11, 22)), 0);

        List<InstructionsPerByte> figures = InstructionsPerByte.of(full);

        assertThat(figures).extracting(InstructionsPerByte::direction).containsExactly("L1>L2", "L2>L1");
        assertThat(figures.get(0).median()).isCloseTo(11, within(1e-9));
        assertThat(figures.get(0).rounds()).isEqualTo(3);
        assertThat(figures.get(0).low()).as("3 rounds give no interval").isNaN();
        assertThat(figures.get(1).byPart().get("user")).isCloseTo(22 / 5.0, within(1e-6));
        assertThat(figures.get(1).byPart().get("kernel")).isCloseTo(22 * 4 / 5.0, within(1e-6));
        assertThat(InstructionsPerByte.of(mode(MatrixMode.FULL_PINNING, List.of(MatrixReportTest.round(5, 5)), 0)))
                .as("not counted: no figures").isEmpty();
    }

    @Test
    void theInstructionTargetIsMetMissedOrUnresolvedByTheIntervalOfTheRoundsRatios() {
        ModeMeasurement full = mode(MatrixMode.FULL_PINNING, rounds(10, 10, 10, 10, 10, 10), 0);

        assertThat(verdict(full, rounds(10.5, 10.4, 10.6, 10.5, 10.7, 10.3))).isEqualTo(Verdict.MET);
        assertThat(verdict(full, rounds(12, 12.5, 11.5, 13, 12, 12))).isEqualTo(Verdict.MISSED);
        assertThat(verdict(full, rounds(10.5, 12, 10.5, 12, 10.5, 12))).as("straddles 1.1").isEqualTo(Verdict.UNRESOLVED);
        assertThat(verdict(full, rounds(10.5, 10.5))).as("two pairs, no interval").isEqualTo(Verdict.UNRESOLVED);
        InstructionTarget t = InstructionTarget.of(mode(MatrixMode.ZONE_VIRTIO, rounds(10.5, 10.4, 10.6, 10.5, 10.7,
                10.3), 0), full);
        assertThat(t.pairs()).isEqualTo(6);
        assertThat(t.ratio()).isCloseTo(1.05, within(1e-6));
        assertThat(t.target()).isEqualTo(1.1);
    }

    private static Verdict verdict(ModeMeasurement full, List<TrafficRound> zone) {
        return InstructionTarget.of(mode(MatrixMode.ZONE_VIRTIO, zone, 0), full).verdict();
    }

    @Test
    void theReportJudgesEveryCountedZoneModeAgainstFullPinning() {
        MatrixReport report = MatrixReport.of(List.of(
                mode(MatrixMode.FULL_PINNING, rounds(10, 10), 0),
                mode(MatrixMode.ZONE_INTEL, rounds(11, 11), 0),
                mode(MatrixMode.ZONE_VIRTIO, List.of(MatrixReportTest.round(5, 5), MatrixReportTest.round(5, 5)), 0)));

        assertThat(report.instructionTargets()).as("the uncounted zone mode has none")
                .extracting(InstructionTarget::mode).containsExactly(MatrixMode.ZONE_INTEL.label());
        assertThat(report.instructions()).hasSize(4);
        assertThat(MatrixTable.render(report)).contains("instructions L2 ran per byte", "PROJECTED for hardware");
    }

    /**
     * Full pinning runs 10 instructions a byte, dynamic 12 and one map call per 1000 bytes, the
     * zone 11: at 4 instructions/ns and 2000 ns a call, 2.5, 5 and 2.75 ns/B.
     */
    @Test
    void theProjectionChargesInstructionsAtTheHardwareRateAndEachMapCallItsTrap() {
        int n = 6;
        List<TrafficRound> full = new ArrayList<>();
        List<TrafficRound> dynamic = new ArrayList<>();
        List<TrafficRound> zone = new ArrayList<>();
        IntStream.range(0, n).forEach(i -> {
            full.add(round(10, 10));
            dynamic.add(round(12, 12));
            zone.add(round(11, 11));
        });
        long dynamicCalls = n * 2 * BYTES_PER_RUN / 1000;

        HardwareProjection p = HardwareProjection.of(List.of(mode(MatrixMode.FULL_PINNING, full, 0),
                mode(MatrixMode.VIOMMU_DYNAMIC, dynamic, dynamicCalls), mode(MatrixMode.ZONE_INTEL, zone, 0)), 4, "test", 2000, "test");

        assertThat(p.rows()).extracting(HardwareProjection.Row::nanosecondsPerByte)
                .satisfiesExactly(c -> assertThat(c).isCloseTo(2.5, within(1e-9)),
                        c -> assertThat(c).isCloseTo(5.0, within(1e-9)),
                        c -> assertThat(c).isCloseTo(2.75, within(1e-9)));
        HardwareProjection.Row z = p.rows().get(2);
        assertThat(z.zonePerFull()).isCloseTo(2.5 / 2.75, within(1e-9));
        assertThat(z.zonePerDynamic()).isCloseTo(5.0 / 2.75, within(1e-9));
        // 12/4 + 0.001·T = 5·11/4  =>  T = 10750 ns
        assertThat(z.breakEvenNanosecondsPerMapCall()).isCloseTo(10750, within(1e-6));
        assertThat(p.rows().get(0).zonePerFull()).as("full pinning is no zone mode").isNull();
        HardwareProjection stated = HardwareProjection.of(List.of(mode(MatrixMode.ZONE_INTEL, zone, 0)));
        assertThat(stated.instructionsPerNanosecond()).isEqualTo(HardwareProjection.INSTRUCTIONS_PER_NANOSECOND);
        assertThat(stated.instructionsSource()).startsWith("assumed");
        assertThat(stated.mapCallSource()).startsWith("assumed").contains("lkml");
    }
}
