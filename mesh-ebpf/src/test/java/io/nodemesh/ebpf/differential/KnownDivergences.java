package io.nodemesh.ebpf.differential;

import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.testing.EbpfContractHarness;

import java.util.Optional;
import java.util.Set;

/**
 * Differences between kernel and simulator that the test has found and understood, recognised precisely so they are
 * counted (and listed in the run's statistics) rather than failing the run until they are settled. Each predicate
 * only excuses the exact symptom with its exact cause present in the state; anything else still fails.
 * See docs/ebpf-benchmarks.md for the details and the fixes proposed.
 */
final class KnownDivergences {
    /** No generated policy names a port outside 8080/9090, so any ephemeral port stands for a client's. */
    private static final int EPHEMERAL_PORT = 40_000;

    private KnownDivergences() {}

    /** The divergence that explains {@code actual} where the simulator expected one of {@code expected}, if any. */
    static Optional<String> explain(MeshState state, Attempt a, Set<Outcome> expected, Outcome actual) {
        if (!a.udp()) return Optional.empty();
        MeshIndex index = state.index();
        String client = a.fromHost() ? Identities.HOST : index.workload(a.client()).map(Workload::identity).orElseThrow();
        if (actual.equals(new Outcome.Broken("ETIMEDOUT")) && replyRefused(index, client, expected)) {
            return Optional.of("UDP reply refused by policy in the kernel");
        }
        if (!a.connectedUdp() && actual.equals(new Outcome.Broken("ETIMEDOUT"))
                && expected.equals(Set.of(new Outcome.Refused(Verdict.NO_BACKEND)))) {
            return Optional.of("unconnected UDP no-backend refusal invisible to Java");
        }
        if (a.connectedUdp() && actual.equals(new Outcome.Refused(Verdict.DROPPED_POLICY))
                && connectedSendJudgedDirect(index, a, client, expected)) {
            return Optional.of("connected UDP send re-judged as a direct flow");
        }
        return Optional.empty();
    }

    /**
     * The kernel polices every unconnected UDP datagram in {@code sendmsg4/6}, the <em>server's reply</em> included,
     * as a new flow from the server's identity to the client's address and ephemeral port; when policy refuses that
     * reverse direction the client never gets its answer. The simulator treats request and reply as one flow. Only
     * servers on this node are affected here (node-2's run outside the attach cgroup).
     */
    private static boolean replyRefused(MeshIndex index, String client, Set<Outcome> expected) {
        return expected.stream().anyMatch(o -> o instanceof Outcome.Reached(String workload, boolean redirected)
                && index.workload(workload).filter(w -> w.node().equals(EbpfContractHarness.NODE))
                .filter(w -> !index.allows(w.identity(), client, "", EPHEMERAL_PORT)).isPresent());
    }

    /**
     * A connected UDP socket is translated at {@code connect}; the JDK then sends each datagram with the peer address
     * given, so {@code sendmsg4/6} runs again — on the backend address, as a direct flow with no service — and a
     * backend admitted only through the service (an ALLOW naming the service while the backend's identity is
     * default-deny) is refused with EPERM on {@code send}. The simulator judges the socket once, with its service.
     */
    private static boolean connectedSendJudgedDirect(MeshIndex index, Attempt a, String client, Set<Outcome> expected) {
        Optional<Service> service = index.state().services().stream()
                .filter(s -> s.vips().contains(a.ip()) && s.ports().stream().anyMatch(p -> p.port() == a.port())).findFirst();
        if (service.isEmpty()) return false;
        int target = ScenarioState.targetPort(a.port());
        return expected.stream().anyMatch(o -> o instanceof Outcome.Reached(String workload, boolean redirected)
                && index.workload(workload).filter(w -> !index.allows(client, w.identity(), "", target)).isPresent());
    }
}
