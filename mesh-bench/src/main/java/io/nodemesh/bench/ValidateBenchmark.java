package io.nodemesh.bench;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** {@code MeshState.validate()}: the whole state, and incrementally after one endpoint change. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class ValidateBenchmark {
    @Param({"1000", "10000"})
    public int services;

    private MeshState state;
    private MeshState changed;

    @Setup
    public void setUp() {
        state = BenchStates.mesh(services);
        changed = BenchStates.oneEndpointChanged(state, services / 2);
        if (!state.validate().isEmpty()) throw new IllegalStateException("bench state invalid: " + state.validate());
    }

    @Benchmark
    public List<Violation> full() {
        return state.validate();
    }

    @Benchmark
    public List<Violation> oneChange() {
        return changed.validate(state);
    }

    @Benchmark
    public Object floor() {
        return Floors.copy(state);
    }
}
