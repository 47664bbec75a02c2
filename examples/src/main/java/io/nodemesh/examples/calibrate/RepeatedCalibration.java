package io.nodemesh.examples.calibrate;

import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.calibration.CalibrationResult;
import io.nodemesh.planner.calibration.Comparison;
import io.nodemesh.planner.calibration.Measurement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The statistics of an interleaved calibration, and its verdicts. Pure: it sees only the rounds' numbers.
 * <p>
 * Each path row's verdict is on the <em>median</em> of the rounds' prediction errors, and its spread is the
 * <em>interquartile range</em> of those errors in percentage points. The IQR is chosen over max/min because it ignores
 * the outermost quarter on either side: one disturbed round out of five moves neither the median nor the IQR, so it
 * cannot decide the result, while noise in two rounds or more widens the IQR. When the spread is wider than the
 * tolerance, the rounds disagree by more than the goal allows and the verdict is withheld with that reason.
 *
 * @param rounds           how many rounds the numbers come from
 * @param tolerancePercent the goal, ± percent
 * @param hops             every hop, in the order of the first round
 * @param paths            every real path, in the order of the first round
 * @param parameters       the parameters to write: each measured cost the median of the rounds' fits
 */
record RepeatedCalibration(
        int rounds, double tolerancePercent, List<HopRow> hops, List<PathRow> paths, PlannerParameters parameters) {
    /** Fewer rounds than this cannot tell an outlier from the model: their verdict is withheld. */
    static final int MIN_ROUNDS_FOR_VERDICT = 3;

    RepeatedCalibration {
        hops = List.copyOf(hops);
        paths = List.copyOf(paths);
    }

    static RepeatedCalibration of(List<CalibrationResult> results, double tolerancePercent) {
        if (results.isEmpty()) throw new IllegalArgumentException("no calibration rounds");
        if (!(tolerancePercent > 0))
            throw new IllegalArgumentException("tolerance must be > 0 percent, got " + tolerancePercent);
        return new RepeatedCalibration(
                results.size(),
                tolerancePercent,
                hops(results),
                paths(results, tolerancePercent),
                MedianParameters.of(
                        results.stream().map(CalibrationResult::parameters).toList()));
    }

    /** The rows whose verdict was withheld. */
    List<PathRow> withheld() {
        return paths.stream()
                .filter(p -> p.verdict() instanceof PathVerdict.Withheld)
                .toList();
    }

    private static List<HopRow> hops(List<CalibrationResult> results) {
        Map<String, List<Measurement>> byHop = new LinkedHashMap<>();
        for (CalibrationResult r : results) {
            for (Measurement m : r.measurements()) {
                byHop.computeIfAbsent(m.name() + "@" + m.bytes(), k -> new ArrayList<>())
                        .add(m);
            }
        }
        List<HopRow> rows = new ArrayList<>();
        for (List<Measurement> ms : byHop.values()) {
            Measurement first = ms.getFirst();
            if (ms.size() != results.size()) {
                throw new IllegalArgumentException(String.format(
                        Locale.ROOT,
                        "hop %s at %d B was measured in %d of %d rounds: the rounds must measure the same hops",
                        first.name(),
                        first.bytes(),
                        ms.size(),
                        results.size()));
            }
            List<Double> p50 = ms.stream().map(Measurement::p50Us).toList();
            rows.add(new HopRow(first.name(), first.bytes(), first.how(), p50, Quartiles.of(p50)));
        }
        return rows;
    }

    private static List<PathRow> paths(List<CalibrationResult> results, double tolerance) {
        List<Comparison> firsts = results.getFirst().comparisons();
        List<PathRow> rows = new ArrayList<>();
        for (int i = 0; i < firsts.size(); i++) {
            Comparison first = firsts.get(i);
            List<Comparison> row = new ArrayList<>();
            for (int round = 0; round < results.size(); round++) {
                List<Comparison> cs = results.get(round).comparisons();
                if (cs.size() != firsts.size() || !cs.get(i).path().equals(first.path())) {
                    throw new IllegalArgumentException("round " + (round + 1) + " compares other paths than round 1 ("
                            + cs.stream().map(Comparison::path).toList() + " against "
                            + firsts.stream().map(Comparison::path).toList() + ")");
                }
                row.add(cs.get(i));
            }
            rows.add(row(first, row, tolerance));
        }
        return rows;
    }

    private static PathRow row(Comparison first, List<Comparison> rounds, double tolerance) {
        double predicted = Quartiles.of(
                        rounds.stream().map(Comparison::predictedUs).toList())
                .median();
        List<Comparison> measured = rounds.stream().filter(Comparison::measured).toList();
        if (measured.isEmpty()) {
            return new PathRow(
                    first.path(),
                    first.note(),
                    predicted,
                    Double.NaN,
                    List.of(),
                    null,
                    new PathVerdict.NotMeasured(first.note()));
        }
        List<Double> errors = measured.stream().map(Comparison::errorPercent).toList();
        Quartiles e = Quartiles.of(errors);
        double measuredUs = Quartiles.of(
                        measured.stream().map(Comparison::measuredUs).toList())
                .median();
        PathVerdict verdict;
        if (measured.size() < rounds.size()) {
            verdict = new PathVerdict.Withheld(
                    "measured in only " + measured.size() + " of " + rounds.size() + " rounds");
        } else if (rounds.size() < MIN_ROUNDS_FOR_VERDICT) {
            verdict = new PathVerdict.Withheld(rounds.size() + " round(s) cannot tell host noise from the model: a"
                    + " verdict needs --repeats " + MIN_ROUNDS_FOR_VERDICT + " or more");
        } else if (e.iqr() > tolerance) {
            verdict = new PathVerdict.Withheld(String.format(
                    Locale.ROOT,
                    "spread %.1f pp (IQR of the rounds' errors) is wider than the +-%s%% tolerance: this host was"
                            + " too noisy to judge; rerun on a quiet host or with more --repeats",
                    e.iqr(),
                    trim(tolerance)));
        } else if (Math.abs(e.median()) <= tolerance) {
            verdict = new PathVerdict.Within(e.median());
        } else {
            verdict = new PathVerdict.Outside(e.median());
        }
        return new PathRow(first.path(), first.note(), predicted, measuredUs, errors, e, verdict);
    }

    /** {@code 20} rather than {@code 20.0}. */
    static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }
}
