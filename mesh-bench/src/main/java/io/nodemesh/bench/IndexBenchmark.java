package io.nodemesh.bench;

import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@code MeshIndex.of}: the lookup structure every backend plans from, built whole and incrementally. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class IndexBenchmark {
    @Param({"1000", "10000"})
    public int services;

    private MeshState state;
    private MeshState changed;
    private MeshIndex index;

    @Setup
    public void setUp() {
        state = BenchStates.mesh(services);
        changed = BenchStates.oneEndpointChanged(state, services / 2);
        index = MeshIndex.of(state);
    }

    @Benchmark
    public MeshIndex full() {
        return MeshIndex.of(state);
    }

    @Benchmark
    public MeshIndex oneChange() {
        return MeshIndex.of(changed, index);
    }

    @Benchmark
    public Object floor() {
        return Floors.byKey(state);
    }
}
