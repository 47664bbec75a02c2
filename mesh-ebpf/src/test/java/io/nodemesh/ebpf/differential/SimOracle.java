package io.nodemesh.ebpf.differential;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.DatagramResult;
import io.nodemesh.sim.SimConnection;
import io.nodemesh.sim.SimSettings;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;
import io.nodemesh.sim.UdpSocket;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The simulator as the reference: every outcome an attempt can have there. Both backends key Maglev and session
 * affinity by the same {@link io.nodemesh.api.lb.SocketLbKey} and build the same Maglev tables (the simulator gets the
 * kernel's table size), so a Maglev choice has one outcome and is compared exactly. Where the choice is random
 * (RANDOM, or ROUND_ROBIN, whose counters differ), the attempt is repeated on the simulator until every backend it may
 * pick has shown up and the kernel's one outcome must be among them.
 * <p>
 * Session affinity: a client's first connection to an affinity service is such a random draw (unless Maglev), which a
 * scratch simulator with the same state draws, its clock moved past the timeout before every repeat (moving the main
 * simulator's clock would expire every other client's choice too). Once the kernel has chosen, {@link #observed}
 * makes the main simulator remember the same choice — one connection while the service offers that backend alone —
 * so every later attempt of that client to that service and VIP family, which both must send to the same backend, is
 * compared exactly.
 */
final class SimOracle implements AutoCloseable {
    /** Enough repeats that a uniform choice among 12 endpoints misses one with p < 1e-8. */
    private static final int REPEATS = 250;

    private static final Duration PAST_AFFINITY = ScenarioState.AFFINITY_TIMEOUT.plusSeconds(1);

    private final SimulatedDataplane sim =
            new SimulatedDataplane(new SimSettings(7, PlanLimits.DEFAULT_MAGLEV_TABLE_SIZE, SimSettings.DEFAULT_START));
    private final String node;
    /** Affinity keys (client, service, family) whose choice both sides have made and remember. */
    private final Set<String> sticky = new HashSet<>();

    private MeshState state = MeshState.EMPTY;

    SimOracle(String node) {
        this.node = node;
    }

    void apply(MeshState state) {
        sim.apply(state);
        this.state = state;
    }

    /** Whether this attempt's outcome is one remembered choice (compared exactly) rather than a fresh draw. */
    boolean isSticky(Attempt a) {
        return affinityService(a).map(s -> sticky.contains(affinityKey(a, s))).orElse(false);
    }

    Set<Outcome> possible(Attempt a) {
        boolean fresh = affinityService(a).isPresent() && !isSticky(a);
        if (!fresh) return repeat(sim, a, false);
        try (SimulatedDataplane scratch = newSimulator()) {
            scratch.apply(state);
            return repeat(scratch, a, true);
        }
    }

    private Set<Outcome> repeat(SimulatedDataplane on, Attempt a, boolean expireBetween) {
        Set<Outcome> outcomes = new LinkedHashSet<>();
        for (int i = 0; i < REPEATS; i++) {
            if (expireBetween) on.advance(PAST_AFFINITY);
            outcomes.add(once(on, a));
        }
        return outcomes;
    }

    /**
     * After the kernel's attempt: when it was a client's first connection to an affinity service and reached a backend,
     * the main simulator makes the same choice (the service offering that backend alone for one connection) and so
     * remembers it, as the kernel does.
     */
    void observed(Attempt a, Outcome kernel) {
        Optional<Service> service = affinityService(a);
        if (service.isEmpty() || isSticky(a) || !(kernel instanceof Outcome.Reached reached)) return;
        List<Endpoint> only = state.workloads().stream()
                .filter(w -> w.key().equals(reached.workload()))
                .flatMap(w -> w.ips().stream().map(ip -> new Endpoint(ip, w.key(), EndpointState.READY)))
                .toList();
        Service alone =
                service.get().toBuilder().endpoints(only).selector(Map.of()).build();
        sim.apply(state.withService(alone.key(), s -> alone));
        try {
            if (once(sim, a).equals(kernel)) sticky.add(affinityKey(a, alone));
        } finally {
            sim.apply(state);
        }
    }

    private SimulatedDataplane newSimulator() {
        return new SimulatedDataplane(
                new SimSettings(7, PlanLimits.DEFAULT_MAGLEV_TABLE_SIZE, SimSettings.DEFAULT_START));
    }

    private Outcome once(SimulatedDataplane on, Attempt a) {
        Source source = a.fromHost() ? Source.host(node) : Source.workload(a.client());
        if (a.udp()) {
            DatagramResult result;
            if (a.connectedUdp()) {
                UdpSocket socket = on.connectUdp(source, a.ip(), a.port());
                result = on.send(socket, 6);
                on.close(socket);
            } else {
                result = on.sendDatagram(source, a.ip(), a.port(), 6);
            }
            return switch (result) {
                case DatagramResult.Delivered d ->
                    new Outcome.Reached(d.backend().workload(), false);
                case DatagramResult.Dropped d -> new Outcome.Refused(d.verdict());
            };
        }
        return switch (on.connect(source, a.ip(), a.port())) {
            case ConnectResult.Connected(SimConnection c) -> {
                on.close(c);
                yield new Outcome.Reached(c.backend().workload(), c.path() == FlowPath.SOCKET_REDIRECT);
            }
            case ConnectResult.Refused(var verdict, var reason) -> new Outcome.Refused(verdict);
        };
    }

    /** The service with session affinity whose VIP and port the attempt dials, if any. */
    private Optional<Service> affinityService(Attempt a) {
        String dialled = IpAddresses.canonical(a.ip());
        return state.services().stream()
                .filter(s -> s.affinity().enabled())
                .filter(s ->
                        s.vips().stream().anyMatch(v -> IpAddresses.canonical(v).equals(dialled)))
                .filter(s -> s.ports().stream().mapToInt(ServicePort::port).anyMatch(p -> p == a.port()))
                .findFirst();
    }

    /** One kernel affinity entry: (client, service, VIP family). */
    private static String affinityKey(Attempt a, Service s) {
        return a.client() + "|" + s.key() + "|" + (IpAddresses.isV6(a.ip()) ? "v6" : "v4");
    }

    @Override
    public void close() {
        sim.close();
    }
}
