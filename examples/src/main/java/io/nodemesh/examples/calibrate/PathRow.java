package io.nodemesh.examples.calibrate;

import java.util.List;

/**
 * One real path over every round: the simulator's prediction (from that round's hops) against that round's
 * measurement, and the verdict on the median error.
 *
 * @param path          what was measured, e.g. {@code sidecar: pod -> 2 HAProxy sidecars -> pod}
 * @param note          how the numbers were obtained, from the first round
 * @param predictedUs   median of the rounds' predictions, µs
 * @param measuredUs    median of the rounds' measurements, µs; NaN when not measured
 * @param errorsPercent each round's (predicted − measured) / measured, in round order; empty when not measured
 * @param errors        quartiles of those errors, or null when not measured
 * @param verdict       within, outside, withheld (with the reason) or not measured
 */
record PathRow(
        String path,
        String note,
        double predictedUs,
        double measuredUs,
        List<Double> errorsPercent,
        Quartiles errors,
        PathVerdict verdict) {
    PathRow {
        errorsPercent = List.copyOf(errorsPercent);
    }

    /** The spread of the errors: their interquartile range in percentage points. */
    double spreadPoints() {
        return errors == null ? Double.NaN : errors.iqr();
    }
}
