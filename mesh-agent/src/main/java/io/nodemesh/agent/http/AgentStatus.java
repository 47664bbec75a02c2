package io.nodemesh.agent.http;

import java.util.List;
import java.util.Map;

/**
 * What {@code GET /status} answers and {@code nodemesh status} prints: the node, its backends and who serves which
 * capability, readiness, the size of the applied state and the last apply or refusal. Times are ISO-8601 text.
 *
 * @param capabilities capability name to the backend that serves it
 * @param lastApply    null until the first apply that changed something
 * @param lastRefusal  null until a state was rejected, held back or failed in the backend
 * @param backends     each backend's health, read when the status was asked for
 */
public record AgentStatus(
        String node,
        String dataplane,
        Map<String, String> capabilities,
        boolean ready,
        List<String> problems,
        StateCounts state,
        LastApply lastApply,
        LastRefusal lastRefusal,
        long appliesTotal,
        long refusalsTotal,
        long flowsLost,
        List<BackendState> backends) {
    public AgentStatus {
        capabilities = Map.copyOf(capabilities);
        problems = List.copyOf(problems);
        backends = backends == null ? List.of() : List.copyOf(backends); // absent from an older agent's answer
    }

    /** True when no backend reports a problem. */
    public boolean healthy() {
        return backends.stream().allMatch(b -> b.problems().isEmpty());
    }

    /** How many of each object the applied state holds. */
    public record StateCounts(int services, int endpoints, int workloads, int nodes, int policies, int routes) {}

    /** The last apply that changed the dataplane. */
    public record LastApply(long generation, String at, double tookMillis, int changes) {}

    /** The last state that was not applied, and why; the state before it kept serving. */
    public record LastRefusal(String at, String reason) {}

    /**
     * One backend's {@link io.nodemesh.api.BackendHealth} on the wire: times as ISO-8601 text, absent values null, so
     * the JSON stays plain for scripts and for older or newer CLIs.
     */
    public record BackendState(
            String backend, List<String> problems, List<Table> tables, List<Peer> peers, List<Client> clients) {
        public BackendState {
            problems = List.copyOf(problems);
            tables = List.copyOf(tables);
            peers = List.copyOf(peers);
            clients = List.copyOf(clients);
        }
    }

    /** A fixed-size table and how full it is. */
    public record Table(String name, long entries, long capacity, boolean evicting) {}

    /** A tunnel peer; {@code endpoint} and {@code lastHandshake} are null until known. */
    public record Peer(
            String node, String publicKey, String endpoint, String lastHandshake, long rxBytes, long txBytes) {}

    /** A proxy's subscription to one resource type; versions and {@code lastNack} null until there is one. */
    public record Client(String node, String type, String sent, String acked, long nacks, String lastNack) {}
}
