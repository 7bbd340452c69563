package io.dmazone.measure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The median's distribution-free interval: order statistics from the binomial distribution. */
class StatisticsTest {
    private static List<Double> oneTo(int n) {
        return IntStream.rangeClosed(1, n).mapToObj(i -> (double) i).toList();
    }

    @Test
    void fiveValuesGiveNoInterval() {
        assertThat(Statistics.medianInterval(oneTo(5))).isEqualTo(Statistics.Interval.NONE);
    }

    @Test
    void sixValuesSpanMinimumToMaximum() {
        Statistics.Interval i = Statistics.medianInterval(List.of(6.0, 1.0, 5.0, 2.0, 4.0, 3.0));
        assertThat(i.low()).isEqualTo(1.0);
        assertThat(i.high()).isEqualTo(6.0);
        assertThat(i.coverage()).isCloseTo(1 - 2.0 / 64, within(1e-12));
    }

    @Test
    void tenValuesDropOneAtEachEnd() {
        Statistics.Interval i = Statistics.medianInterval(oneTo(10));
        assertThat(i.low()).isEqualTo(2.0);
        assertThat(i.high()).isEqualTo(9.0);
        assertThat(i.coverage()).isCloseTo(1 - 2 * 11.0 / 1024, within(1e-12));
    }

    @Test
    void theIntervalIsTheNarrowestThatStillCoversNinetyFivePercent() {
        for (int n = 6; n <= 60; n++) {
            Statistics.Interval i = Statistics.medianInterval(oneTo(n));
            assertThat(i.coverage()).as("n=%d", n).isGreaterThanOrEqualTo(0.95);
            int k = (int) i.low();
            assertThat(i.high()).as("symmetric, n=%d", n).isEqualTo(n + 1 - k);
            // one order statistic further in would cover less than 95 %
            double tighter = 1 - 2 * binomialAtMost(n, k);
            assertThat(tighter).as("n=%d, k=%d", n, k + 1).isLessThan(0.95);
        }
    }

    @Test
    void aVerdictNeedsTheWholeIntervalOnOneSideOfTheTarget() {
        Statistics.Interval i = new Statistics.Interval(0.9, 1.2, 0.95);
        assertThat(Verdict.atLeast(i, 0.85)).isEqualTo(Verdict.MET);
        assertThat(Verdict.atLeast(i, 0.9)).as("the bound on the target").isEqualTo(Verdict.MET);
        assertThat(Verdict.atLeast(i, 0.95)).isEqualTo(Verdict.UNRESOLVED);
        assertThat(Verdict.atLeast(i, 1.3)).isEqualTo(Verdict.MISSED);
        assertThat(Verdict.atLeast(Statistics.Interval.NONE, 0.95)).as("no interval").isEqualTo(Verdict.UNRESOLVED);
    }

    /** P(Binomial(n, 1/2) <= k), summed directly. */
    private static double binomialAtMost(int n, int k) {
        double p = 0;
        double c = 1;
        for (int j = 0; j <= k; j++) {
            p += c;
            c = c * (n - j) / (j + 1);
        }
        return p / Math.pow(2, n);
    }
}
