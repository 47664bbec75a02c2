package io.nodemesh.agent.http;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import java.util.List;
import java.util.Set;

/** A dataplane that holds no state and whose flows are what the test publishes on its hub. */
public record HubDataplane(FlowHub hub) implements MeshDataplane {
    @Override
    public String name() {
        return "test";
    }

    @Override
    public ApplyResult apply(MeshState state) {
        return new ApplyResult(0, List.of());
    }

    @Override
    public MeshState state() {
        return MeshState.EMPTY;
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
