package io.dmazone.measure;

import java.util.Locale;

/**
 * A target judged by a figure's 95 % confidence interval rather than by the figure alone:
 * noise can neither pass nor fail it.
 */
public enum Verdict {
    /** The whole interval lies on the target's side. */
    MET,
    /** The whole interval lies on the other side. */
    MISSED,
    /** The interval straddles the target, or there is none (too few values). */
    UNRESOLVED;

    /** For a target the figure must reach: at least {@code target}. */
    static Verdict atLeast(Statistics.Interval interval, double target) {
        if (interval.low() >= target) {
            return MET;
        }
        if (interval.high() < target) {
            return MISSED;
        }
        return UNRESOLVED;
    }

    /** For a target the figure must not exceed: at most {@code target}. */
    static Verdict atMost(Statistics.Interval interval, double target) {
        if (interval.high() <= target) {
            return MET;
        }
        if (interval.low() > target) {
            return MISSED;
        }
        return UNRESOLVED;
    }

    /** As the tables print it: met, missed, unresolved. The JSON reports write the name (MET, ...). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
