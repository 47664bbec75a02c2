package io.nodemesh.kubernetes;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/** A dataplane that validates like every backend must and records each state it was given. */
final class RecordingDataplane implements MeshDataplane {
    private final List<MeshState> applied = new CopyOnWriteArrayList<>();
    private final FlowHub hub = new FlowHub();
    private volatile MeshState state = MeshState.EMPTY;
    private long generation;

    @Override
    public String name() {
        return "recording";
    }

    @Override
    public synchronized ApplyResult apply(MeshState next) {
        var violations = next.validate();
        if (!violations.isEmpty()) throw new InvalidStateException(violations);
        var changes = StateDiff.between(state, next);
        state = next;
        if (!changes.isEmpty()) {
            generation++;
            applied.add(next);
        }
        return new ApplyResult(generation, changes);
    }

    @Override
    public MeshState state() {
        return state;
    }

    List<MeshState> applied() {
        return applied;
    }

    FlowHub hub() {
        return hub;
    }

    @Override
    public Flows flows() {
        return hub;
    }

    @Override
    public Set<Capability> capabilities() {
        return Set.of(Capability.FLOWS);
    }

    @Override
    public List<BackendHealth> health() {
        return List.of(BackendHealth.nothingToReport(name()));
    }

    @Override
    public void close() {}
}
