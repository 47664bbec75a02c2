package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.planner.calibration.CalibrationException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterleavedPlanTest {
    @Test
    void hopsAndPathsAlternateRoundByRound() {
        assertThat(new InterleavedPlan(3).order())
                .containsExactly("hops#1", "paths#1", "hops#2", "paths#2", "hops#3", "paths#3");
    }

    @Test
    void everyRoundRunsInTurn() {
        List<String> log = new ArrayList<>();
        int[] calls = {0};
        var results = new InterleavedPlan(3).run(() -> RepeatedCalibrationTest.quiet(++calls[0], 0, 0, 0), log::add);
        assertThat(results).hasSize(3);
        assertThat(results.get(2).comparisons().getFirst().errorPercent()).isEqualTo(3.0, within());
        assertThat(log)
                .containsExactly(
                        "round 1 of 3: hops, then paths",
                        "round 2 of 3: hops, then paths",
                        "round 3 of 3: hops, then paths");
    }

    @Test
    void aFailedRoundStopsThePlanNamingTheRound() {
        int[] calls = {0};
        CalibrationRound failsSecond = () -> {
            if (++calls[0] == 2) throw new CalibrationException("redirect at 64 B was not redirected");
            return RepeatedCalibrationTest.quiet(0, 0, 0, 0);
        };
        assertThatThrownBy(() -> new InterleavedPlan(4).run(failsSecond, s -> {}))
                .isInstanceOf(CalibrationException.class)
                .hasMessage("round 2 of 4: redirect at 64 B was not redirected");
        assertThat(calls[0]).isEqualTo(2);
    }

    @Test
    void zeroRepeatsIsBadInput() {
        assertThatThrownBy(() -> new InterleavedPlan(0)).hasMessageContaining("--repeats must be at least 1, got 0");
    }

    private static org.assertj.core.data.Offset<Double> within() {
        return org.assertj.core.data.Offset.offset(1e-9);
    }
}
