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
        long flowsLost) {
    public AgentStatus {
        capabilities = Map.copyOf(capabilities);
        problems = List.copyOf(problems);
    }

    /** How many of each object the applied state holds. */
    public record StateCounts(int services, int endpoints, int workloads, int nodes, int policies, int routes) {}

    /** The last apply that changed the dataplane. */
    public record LastApply(long generation, String at, double tookMillis, int changes) {}

    /** The last state that was not applied, and why; the state before it kept serving. */
    public record LastRefusal(String at, String reason) {}
}
