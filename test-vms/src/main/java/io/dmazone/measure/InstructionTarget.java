package io.dmazone.measure;

import java.util.List;

/**
 * A zone mode's instructions per byte (both ways) over full pinning's, paired by round, and its
 * verdict on the target: copying each frame through the zone may cost L2 at most this much more.
 *
 * @param mode     the zone mode's label
 * @param baseline full pinning's label
 * @param pairs    rounds where both modes were counted both ways: each gives one ratio
 * @param ratio    the median of those ratios
 * @param low      the lower bound of its distribution-free 95 % interval, NaN under 6 pairs
 * @param high     the upper bound, NaN likewise
 * @param target   the ratio it must not exceed
 * @param verdict  met, missed or unresolved, from the interval
 */
public record InstructionTarget(String mode, String baseline, int pairs, double ratio, double low, double high,
        double target, Verdict verdict) {

    /** A zone mode's instructions per byte over full pinning's, at most. */
    static final double PER_FULL_PINNING_TARGET = 1.1;

    static InstructionTarget of(ModeMeasurement zone, ModeMeasurement full) {
        List<Double> ratios = MatrixReport.pairedRatios(zone.rounds(), full.rounds(),
                TrafficRound::instructionsPerByte);
        Statistics.Interval interval = Statistics.medianInterval(ratios);
        return new InstructionTarget(zone.mode().label(), full.mode().label(), ratios.size(),
                Statistics.median(ratios), interval.low(), interval.high(), PER_FULL_PINNING_TARGET,
                Verdict.atMost(interval, PER_FULL_PINNING_TARGET));
    }
}
