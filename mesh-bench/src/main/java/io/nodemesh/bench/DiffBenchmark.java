package io.nodemesh.bench;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
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

/** {@code StateDiff.between}: from nothing to the whole state, and across one endpoint change. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DiffBenchmark {
    @Param({"1000", "10000"})
    public int services;

    private MeshState state;
    private MeshState changed;
    private List<Service> copy;

    @Setup
    public void setUp() {
        state = BenchStates.mesh(services);
        changed = BenchStates.oneEndpointChanged(state, services / 2);
        copy = BenchStates.deepCopy(state.services());
    }

    @Benchmark
    public List<ApplyResult.Change> fromEmpty() {
        return StateDiff.between(MeshState.EMPTY, state);
    }

    @Benchmark
    public List<ApplyResult.Change> oneChange() {
        return StateDiff.between(state, changed);
    }

    @Benchmark
    public boolean floor() {
        return Floors.sameServices(state, copy);
    }
}
