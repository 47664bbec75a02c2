package io.nodemesh.examples.calibrate;

import io.nodemesh.planner.calibration.CalibrationException;
import io.nodemesh.planner.calibration.CalibrationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The measurement plan: {@code repeats} rounds, each measuring every hop and then every path, so the order is
 * hops, paths, hops, paths … (ABAB). A burst of host noise then lands in one round's hops or paths, not in all of one
 * kind, and the per-round prediction errors show it as one outlier that the median ignores.
 *
 * @param repeats rounds to run, at least 1 (a verdict needs {@link RepeatedCalibration#MIN_ROUNDS_FOR_VERDICT})
 */
record InterleavedPlan(int repeats) {
    InterleavedPlan {
        if (repeats < 1) throw new IllegalArgumentException("--repeats must be at least 1, got " + repeats);
    }

    /** The order runs happen in, for the log: {@code hops#1, paths#1, hops#2, …}. */
    List<String> order() {
        List<String> o = new ArrayList<>();
        for (int i = 1; i <= repeats; i++) {
            o.add("hops#" + i);
            o.add("paths#" + i);
        }
        return o;
    }

    /** Runs every round in turn; a round that fails stops the plan with a message naming the round. */
    List<CalibrationResult> run(CalibrationRound round, Consumer<String> log) {
        List<CalibrationResult> results = new ArrayList<>();
        for (int i = 1; i <= repeats; i++) {
            log.accept("round " + i + " of " + repeats + ": hops, then paths");
            try {
                results.add(round.run());
            } catch (CalibrationException e) {
                throw new CalibrationException("round " + i + " of " + repeats + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(results);
    }
}
