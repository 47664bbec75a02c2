package io.nodemesh.planner.calibration;

import io.nodemesh.planner.PlannerParameters;
import java.util.List;
import java.util.Locale;

/**
 * What a calibration produced: the fitted parameters, the raw measurements and the predicted-vs-measured table.
 */
public record CalibrationResult(
        PlannerParameters parameters, List<Measurement> measurements, List<Comparison> comparisons) {
    public CalibrationResult {
        measurements = List.copyOf(measurements);
        comparisons = List.copyOf(comparisons);
    }

    public String measurementTable() {
        StringBuilder b = new StringBuilder(
                String.format(Locale.ROOT, "%-12s %8s %10s  %s%n", "hop", "bytes", "p50 us", "setup"));
        for (Measurement m : measurements) {
            b.append(String.format(Locale.ROOT, "%-12s %8d %10.2f  %s%n", m.name(), m.bytes(), m.p50Us(), m.how()));
        }
        return b.toString();
    }

    public String comparisonTable() {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "%-50s %14s %13s %9s  %s%n",
                "path (one-way p50)",
                "predicted us",
                "measured us",
                "error",
                "note"));
        for (Comparison c : comparisons) {
            String measured =
                    c.measured() ? String.format(Locale.ROOT, "%13.2f", c.measuredUs()) : String.format("%13s", "n/a");
            String err =
                    c.measured() ? String.format(Locale.ROOT, "%+8.1f%%", c.errorPercent()) : String.format("%9s", "-");
            String flag =
                    c.measured() ? (c.withinGoal() ? "" : "  OUTSIDE +-" + (int) Comparison.GOAL_PERCENT + "%") : "";
            b.append(String.format(
                    Locale.ROOT,
                    "%-50s %14.2f %s %s  %s%s%n",
                    c.path(),
                    c.predictedUs(),
                    measured,
                    err,
                    c.note(),
                    flag));
        }
        return b.toString();
    }
}
