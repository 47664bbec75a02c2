package io.nodemesh.examples.calibrate;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Prints a {@link RepeatedCalibration}: the hops, the paths with their verdicts, and why any verdict was withheld. */
final class CalibrationTables {
    private CalibrationTables() {}

    static String hops(RepeatedCalibration c) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "%-13s %6s %10s %8s  %-30s  %s%n",
                "hop",
                "bytes",
                "median us",
                "spread",
                "per round us",
                "setup"));
        for (HopRow h : c.hops()) {
            b.append(String.format(
                    Locale.ROOT,
                    "%-13s %6d %10.2f %7.1f%%  %-30s  %s%n",
                    h.name(),
                    h.bytes(),
                    h.stats().median(),
                    h.spreadPercent(),
                    join(h.p50Us(), "%.2f"),
                    h.how()));
        }
        return b.toString();
    }

    static String paths(RepeatedCalibration c) {
        StringBuilder b = new StringBuilder(String.format(
                Locale.ROOT,
                "%-48s %10s %10s %8s %8s  %-16s  %-34s  %s%n",
                "path (one-way p50)",
                "predicted",
                "measured",
                "error",
                "spread",
                "verdict",
                "error per round",
                "note"));
        for (PathRow p : c.paths()) {
            boolean measured = p.errors() != null;
            b.append(String.format(
                    Locale.ROOT,
                    "%-48s %10.2f %10s %8s %8s  %-16s  %-34s  %s%n",
                    p.path(),
                    p.predictedUs(),
                    measured ? String.format(Locale.ROOT, "%.2f", p.measuredUs()) : "n/a",
                    measured ? String.format(Locale.ROOT, "%+.1f%%", p.errors().median()) : "-",
                    measured ? String.format(Locale.ROOT, "%.1fpp", p.spreadPoints()) : "-",
                    verdict(p.verdict(), c.tolerancePercent()),
                    measured ? join(p.errorsPercent(), "%+.1f") : "-",
                    p.note()));
        }
        return b.toString();
    }

    /** One line per withheld verdict saying why, or nothing when every measured row has one. */
    static String withheld(RepeatedCalibration c) {
        StringBuilder b = new StringBuilder();
        for (PathRow p : c.withheld()) {
            b.append("No verdict for '")
                    .append(p.path())
                    .append("': ")
                    .append(((PathVerdict.Withheld) p.verdict()).reason())
                    .append(System.lineSeparator());
        }
        return b.toString();
    }

    static String verdict(PathVerdict v, double tolerance) {
        String t = "+-" + RepeatedCalibration.trim(tolerance) + "%";
        return switch (v) {
            case PathVerdict.Within w -> "within " + t;
            case PathVerdict.Outside o -> "OUTSIDE " + t;
            case PathVerdict.Withheld w -> "none (see below)";
            case PathVerdict.NotMeasured n -> "n/a";
        };
    }

    private static String join(List<Double> values, String format) {
        return values.stream().map(v -> String.format(Locale.ROOT, format, v)).collect(Collectors.joining(" "));
    }
}
