package io.dmazone.measure;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The edu benchmark's report: per mode the round trips per second and L2 QEMU's CPU per round
 * trip, with their intervals, and the zone's ratios to the baselines with verdicts.
 *
 * @param transfersPerRound round trips per round
 * @param modes             each mode's figures
 * @param ratios            the zone's transfers per second over each baseline's
 * @param runs              the runs with their rounds
 */
public record EduBenchReport(int transfersPerRound, List<ModeFigures> modes, List<Ratio> ratios,
        List<EduBenchRun> runs) {

    /** The report's layout, written as {@code schemaVersion}. */
    public static final int SCHEMA_VERSION = 1;

    /** The zone's round trips per second over vIOMMU dynamic's, at least. */
    static final double PER_DYNAMIC_TARGET = 10;
    /** The zone's round trips per second over full pinning's, at least. */
    static final double PER_FULL_PINNING_TARGET = 0.95;

    @JsonProperty(value = "schemaVersion", index = 0)
    public int schemaVersion() {
        return SCHEMA_VERSION;
    }

    /**
     * One mode's figures, medians over its rounds with their distribution-free 95 % intervals
     * (NaN bounds under 6 rounds).
     *
     * @param mode                         the mode's label
     * @param rounds                       rounds measured
     * @param transfersPerSecond           round trips per second, host clock
     * @param transfersPerSecondLow        its interval's lower bound
     * @param transfersPerSecondHigh       its upper bound
     * @param cpuMicrosecondsPerTransfer   CPU of L2's QEMU per round trip
     * @param cpuMicrosecondsPerTransferLow  its interval's lower bound
     * @param cpuMicrosecondsPerTransferHigh its upper bound
     * @param mapCallsPerTransfer          VFIO map and unmap calls per round trip, the median
     * @param instructionsPerTransfer      L2's instructions per round trip, the median; NaN if not counted
     * @param mmioAccessesPerTransfer      the test client's edu register accesses per round trip, the
     *                                     median; NaN if not watched
     * @param sound                        every check passed
     */
    public record ModeFigures(String mode, int rounds, double transfersPerSecond, double transfersPerSecondLow,
            double transfersPerSecondHigh, double cpuMicrosecondsPerTransfer, double cpuMicrosecondsPerTransferLow,
            double cpuMicrosecondsPerTransferHigh, double mapCallsPerTransfer, double instructionsPerTransfer,
            double mmioAccessesPerTransfer, boolean sound) {

        static ModeFigures of(EduBenchRun run) {
            Statistics.Interval rate = Statistics.medianInterval(run.transfersPerSecond());
            Statistics.Interval cpu = Statistics.medianInterval(run.cpuMicrosecondsPerTransfer());
            return new ModeFigures(run.mode().label(), run.rounds().size(),
                    Statistics.median(run.transfersPerSecond()), rate.low(), rate.high(),
                    Statistics.median(run.cpuMicrosecondsPerTransfer()), cpu.low(), cpu.high(),
                    Statistics.median(run.rounds(), EduRound::mapCallsPerTransfer),
                    Statistics.median(run.rounds(), EduRound::instructionsPerTransfer),
                    Statistics.median(run.rounds(), EduRound::mmioAccessesPerTransfer), run.sound());
        }
    }

    /**
     * The zone's round trips per second over a baseline's, round r over round r (the modes run
     * one after the other, each in an L1 of its own), with the verdict from the interval.
     *
     * @param mode     the zone mode's label
     * @param baseline the baseline's label
     * @param pairs    rounds both have
     * @param ratio    the median of the rounds' ratios
     * @param low      the lower bound of its interval, NaN under 6 pairs
     * @param high     the upper bound, NaN likewise
     * @param target   the ratio it must reach
     * @param verdict  met, missed or unresolved
     */
    public record Ratio(String mode, String baseline, int pairs, double ratio, double low, double high, double target,
            Verdict verdict) {

        static Ratio of(EduBenchRun zone, EduBenchRun base, double target) {
            List<Double> ratios = MatrixReport.pairedRatios(zone.rounds(), base.rounds(),
                    EduRound::transfersPerSecond);
            Statistics.Interval interval = Statistics.medianInterval(ratios);
            return new Ratio(zone.mode().label(), base.mode().label(), ratios.size(), Statistics.median(ratios),
                    interval.low(), interval.high(), target, Verdict.atLeast(interval, target));
        }
    }

    static EduBenchReport of(int transfersPerRound, List<EduBenchRun> runs) {
        List<Ratio> ratios = new ArrayList<>();
        find(runs, EduBenchMode.ZONE).ifPresent(zone -> {
            find(runs, EduBenchMode.FULL_PINNING).ifPresent(f -> ratios.add(Ratio.of(zone, f, PER_FULL_PINNING_TARGET)));
            find(runs, EduBenchMode.VIOMMU_DYNAMIC).ifPresent(d -> ratios.add(Ratio.of(zone, d, PER_DYNAMIC_TARGET)));
        });
        return new EduBenchReport(transfersPerRound, runs.stream().map(ModeFigures::of).toList(), ratios, runs);
    }

    private static Optional<EduBenchRun> find(List<EduBenchRun> runs, EduBenchMode mode) {
        return runs.stream().filter(r -> r.mode() == mode && !r.rounds().isEmpty()).findFirst();
    }
}
