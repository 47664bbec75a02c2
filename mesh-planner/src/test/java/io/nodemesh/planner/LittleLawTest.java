package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * Little's law, L = λW, must hold in the output for any stable run: L is the time-average of requests in flight and
 * λ, W come from the arrival times and the latencies — three independently kept books over the same window.
 */
class LittleLawTest {
    @Property(tries = 12)
    void holdsForAnyModelAndStableLoad(
            @ForAll @IntRange(min = 0, max = 5) int modelIndex,
            @ForAll @DoubleRange(min = 0.05, max = 0.8) double utilization,
            @ForAll @IntRange(min = 1, max = 6) int nodes,
            @ForAll @LongRange(min = 1, max = 1000) long seed) {
        Model model = Model.DEFAULTS.get(modelIndex);
        ClusterShape shape = ClusterShape.of(nodes, 4, 3).withL7Fraction(0.5);
        // Offered load sized so no proxy saturates: the worst case is one node proxy taking every request twice at
        // 125 us (L7 + mTLS at 1 KiB) with two workers, i.e. utilization = rps x 2 x 125 us / 2.
        double rps = utilization * 8000;
        PlanRequest req =
                new PlanRequest(shape, List.of(model), List.of(rps), 1024, 60_000, TrafficPattern.UNIFORM, seed);
        LoadPoint p = new Planner(ParameterFile.defaults())
                .plan(req, ProgressListener.NONE)
                .loads()
                .getFirst();
        assertThat(p.saturated()).isFalse();
        assertThat(p.littleL()).isGreaterThan(0);
        assertThat(Math.abs(p.littleL() - p.littleLambdaW()) / p.littleL())
                .as("L=%f lambdaW=%f", p.littleL(), p.littleLambdaW())
                .isLessThan(0.03);
    }
}
