package io.dmazone.measure;

import java.util.Arrays;
import java.util.List;
import java.util.function.ToDoubleFunction;

/** The summary figures the benchmarks print. */
final class Statistics {
    /** Fewest values whose median has a distribution-free interval of at least 95 % coverage. */
    static final int MIN_VALUES_FOR_INTERVAL = 6;

    private Statistics() {
    }

    /**
     * A median's confidence interval.
     *
     * @param low      its lower bound, NaN when too few values give none
     * @param high     its upper bound, NaN likewise
     * @param coverage the interval's exact coverage (at least 0.95), NaN likewise
     */
    record Interval(double low, double high, double coverage) {
        static final Interval NONE = new Interval(Double.NaN, Double.NaN, Double.NaN);
    }

    /** The finite ones of {@code values} (a figure not measured is NaN), in order. */
    static List<Double> finite(List<Double> values) {
        return values.stream().filter(Double::isFinite).toList();
    }

    /** The median of {@code figure} over {@code items}, those where it is not finite left out; NaN for none. */
    static <T> double median(List<T> items, ToDoubleFunction<T> figure) {
        return median(finite(items.stream().map(figure::applyAsDouble).toList()));
    }

    /** The median, NaN for no values. */
    static double median(List<Double> values) {
        return values.isEmpty() ? Double.NaN : medianOf(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /**
     * The narrowest interval between order statistics, the k-th smallest and the k-th largest
     * value, that holds the median with probability at least 0.95 whatever the distribution:
     * each value falls below the median with probability 1/2, so the interval misses it with
     * probability 2·P(Binomial(n, 1/2) &lt; k). Needs {@value #MIN_VALUES_FOR_INTERVAL} values
     * (with 5, even the minimum and maximum cover only 93.75 %); fewer give {@link Interval#NONE}.
     */
    static Interval medianInterval(List<Double> values) {
        int n = values.size();
        if (n < MIN_VALUES_FOR_INTERVAL) {
            return Interval.NONE;
        }
        List<Double> sorted = values.stream().sorted().toList();
        // below = P(Binomial(n, 1/2) <= k - 1), grown while the interval still covers 95 %
        double term = Math.pow(0.5, n);
        double below = term;
        int k = 1;
        while (true) {
            double nextTerm = term * (n - k + 1) / k;
            if (2 * (below + nextTerm) > 0.05) {
                break;
            }
            term = nextTerm;
            below += term;
            k++;
        }
        return new Interval(sorted.get(k - 1), sorted.get(n - k), 1 - 2 * below);
    }

    /** The median of {@code values}, which it sorts. */
    private static double medianOf(double[] values) {
        Arrays.sort(values);
        int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }
}
