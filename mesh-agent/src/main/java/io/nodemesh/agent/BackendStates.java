package io.nodemesh.agent;

import io.nodemesh.agent.http.AgentStatus;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.MeshDataplane;
import java.time.Instant;
import java.util.List;

/** The dataplane's {@link BackendHealth} as {@code /status} carries it. */
final class BackendStates {
    private BackendStates() {}

    /** Each backend's health; a backend that cannot be read is reported as that problem, not as a failed status. */
    static List<AgentStatus.BackendState> of(MeshDataplane dataplane) {
        try {
            return dataplane.health().stream().map(BackendStates::of).toList();
        } catch (RuntimeException e) {
            return List.of(new AgentStatus.BackendState(
                    dataplane.name(),
                    List.of("cannot read the health of " + dataplane.name() + ": " + e.getMessage()),
                    List.of(),
                    List.of(),
                    List.of()));
        }
    }

    static AgentStatus.BackendState of(BackendHealth h) {
        return new AgentStatus.BackendState(
                h.backend(),
                h.problems(),
                h.tables().stream()
                        .map(t -> new AgentStatus.Table(t.name(), t.entries(), t.capacity(), t.evicting()))
                        .toList(),
                h.peers().stream()
                        .map(p -> new AgentStatus.Peer(
                                p.node(),
                                p.publicKey(),
                                p.endpoint().orElse(null),
                                p.lastHandshake().map(Instant::toString).orElse(null),
                                p.rxBytes(),
                                p.txBytes()))
                        .toList(),
                h.clients().stream()
                        .map(c -> new AgentStatus.Client(
                                c.node(),
                                c.resourceType(),
                                c.sentVersion().orElse(null),
                                c.ackedVersion().orElse(null),
                                c.nacks(),
                                c.lastNack().orElse(null)))
                        .toList());
    }
}
