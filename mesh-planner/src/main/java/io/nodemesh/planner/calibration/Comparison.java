package io.nodemesh.planner.calibration;

/**
 * The simulator's prediction for a real path next to the measurement.
 *
 * @param path        e.g. {@code sidecar (pod a -> 2 HAProxy sidecars -> pod b)}
 * @param predictedUs simulated one-way p50 (half the simulated round trip), µs
 * @param measuredUs  measured one-way p50, µs, or NaN when the path could not be built here
 * @param note        how the numbers were obtained
 */
public record Comparison(String path, double predictedUs, double measuredUs, String note) {
    public static final double GOAL_PERCENT = 20;

    /** (predicted − measured) / measured in percent; NaN when not measured. */
    public double errorPercent() {
        return (predictedUs - measuredUs) / measuredUs * 100;
    }

    public boolean measured() {
        return !Double.isNaN(measuredUs);
    }

    public boolean withinGoal() {
        return measured() && Math.abs(errorPercent()) <= GOAL_PERCENT;
    }
}
