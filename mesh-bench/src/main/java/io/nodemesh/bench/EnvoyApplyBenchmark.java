package io.nodemesh.bench;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.EnvoyDataplane;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * {@code EnvoyDataplane.apply} with no client connected: validation, translation to xDS resources, the schema check
 * of what changed, and packing them (protobuf {@code Any}) into each node's snapshot. The xDS server listens on a
 * loopback port the OS picks; nothing is sent.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EnvoyApplyBenchmark {
    @Param({"1000", "10000"})
    public int services;

    MeshState state;
    private MeshState changed;
    private EnvoyDataplane applied;
    private boolean flip;

    @Setup
    public void setUp() {
        state = BenchStates.mesh(services);
        changed = BenchStates.oneEndpointChanged(state, services / 2);
        applied = open();
        applied.apply(state);
    }

    @TearDown
    public void tearDown() {
        applied.close();
    }

    static EnvoyDataplane open() {
        return new EnvoyDataplane(new DataplaneOptions("node-0", Map.of("envoy.xdsHost", "127.0.0.1")));
    }

    /** One endpoint flips each call: the incremental path from one applied state to the next. */
    @Benchmark
    public ApplyResult oneChange() {
        flip = !flip;
        return applied.apply(flip ? changed : state);
    }

    /** A dataplane that has applied nothing yet, made fresh for each call (not timed). */
    @State(Scope.Thread)
    public static class Fresh {
        EnvoyDataplane dp;

        @Setup(Level.Invocation)
        public void open() {
            dp = EnvoyApplyBenchmark.open();
        }

        @TearDown(Level.Invocation)
        public void close() {
            dp.close();
        }
    }

    /** The first apply of the whole state: every resource translated, checked and packed. */
    @Benchmark
    public ApplyResult fresh(Fresh f) {
        return f.dp.apply(state);
    }

    @Benchmark
    public byte[] floor() {
        return Floors.serialize(state);
    }
}
