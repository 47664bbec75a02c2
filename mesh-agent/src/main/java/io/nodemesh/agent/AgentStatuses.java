package io.nodemesh.agent;

import io.nodemesh.agent.http.AgentMetrics;
import io.nodemesh.agent.http.AgentStatus;
import io.nodemesh.agent.http.ReadinessCheck;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.MeshState;
import java.util.List;

/** Assembles what {@code /status} answers from the running agent's parts. */
final class AgentStatuses {
    private AgentStatuses() {}

    static AgentStatus of(String node, NodeDataplane nodeDataplane, ReadinessCheck readiness, AgentMetrics metrics) {
        MeshDataplane dataplane = nodeDataplane.dataplane();
        MeshState state = dataplane.state();
        List<String> problems = readiness.problems();
        return new AgentStatus(
                node,
                dataplane.name(),
                nodeDataplane.assignmentByName(),
                problems.isEmpty(),
                problems,
                new AgentStatus.StateCounts(
                        state.services().size(),
                        state.services().stream()
                                .mapToInt(s -> s.endpoints().size())
                                .sum(),
                        state.workloads().size(),
                        state.nodes().size(),
                        state.policies().size(),
                        state.routes().size()),
                metrics.lastApply(),
                metrics.lastRefusal(),
                metrics.appliesTotal(),
                metrics.refusalsTotal(),
                dataplane.flows().stats().lost(),
                BackendStates.of(dataplane));
    }
}
