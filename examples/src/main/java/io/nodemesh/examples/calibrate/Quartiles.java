package io.nodemesh.examples.calibrate;

import java.util.Arrays;
import java.util.List;

/**
 * Median and quartiles of a few values, by linear interpolation between closest ranks (the "type 7" quantile of R and
 * NumPy's default). With five rounds Q1 and Q3 are the second and fourth values: one outlier moves neither.
 */
record Quartiles(double q1, double median, double q3) {
    static Quartiles of(List<Double> values) {
        if (values.isEmpty()) throw new IllegalArgumentException("no values");
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return new Quartiles(quantile(v, 0.25), quantile(v, 0.5), quantile(v, 0.75));
    }

    /** The interquartile range, in the values' unit. */
    double iqr() {
        return q3 - q1;
    }

    /** The interquartile range as a percentage of the median. */
    double iqrPercentOfMedian() {
        return iqr() / Math.abs(median) * 100;
    }

    private static double quantile(double[] sorted, double p) {
        double pos = p * (sorted.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, sorted.length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
