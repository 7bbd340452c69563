package io.dmazone.measure;

import java.util.List;

/** The summary figures the benchmarks print. */
final class Statistics {
    private Statistics() {
    }

    /** The median, NaN for no values. */
    static double median(List<Double> values) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
