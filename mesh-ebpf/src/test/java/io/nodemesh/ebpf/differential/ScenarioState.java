package io.nodemesh.ebpf.differential;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.differential.Scenario.AttemptShape;
import io.nodemesh.ebpf.differential.Scenario.PolicyShape;
import io.nodemesh.ebpf.differential.Scenario.ServiceShape;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** A {@link Scenario} made concrete over the pods of {@link MeshPods}: the state to apply and the attempts to make. */
record ScenarioState(MeshState state, List<Attempt> attempts) {
    static final List<String> IDENTITIES = List.of(
            "spiffe://cluster.local/ns/t/sa/a", "spiffe://cluster.local/ns/t/sa/b", "spiffe://cluster.local/ns/t/sa/c");
    static final int HOST_SOURCE = 3;
    static final int ANY_SOURCE = 4;
    /** Longer than any try takes, so kernel entries never expire during one (the simulator's clock is virtual). */
    static final java.time.Duration AFFINITY_TIMEOUT = java.time.Duration.ofMinutes(30);

    static ScenarioState of(Scenario s, List<Node> nodes, List<Workload> pods) {
        MeshState.Builder b = MeshState.builder();
        // This node and the remote one are in different zones, so a locality's node and zone groups differ from ANY.
        for (int i = 0; i < nodes.size(); i++) b.node(nodes.get(i).withZone("zone-" + i));
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < pods.size(); i++) {
            Workload w = pods.get(i);
            var traits = s.pods().get(i);
            workloads.add(new Workload(
                    w.namespace(),
                    w.name(),
                    w.node(),
                    w.ips(),
                    IDENTITIES.get(traits.identity()),
                    Map.of("app", traits.app()),
                    w.placement()));
        }
        workloads.forEach(b::workload);

        List<Service> services = new ArrayList<>();
        for (int i = 0; i < s.services().size(); i++)
            services.add(service(i, s.services().get(i), workloads));
        services.forEach(b::service);
        for (int i = 0; i < s.policies().size(); i++)
            b.policy(policy(i, s.policies().get(i), services));

        List<Attempt> attempts =
                s.attempts().stream().map(a -> attempt(a, workloads, services)).toList();
        return new ScenarioState(b.build(), attempts);
    }

    private static Service service(int i, ServiceShape shape, List<Workload> workloads) {
        List<String> vips = new ArrayList<>(List.of("10.96.0." + (10 + i)));
        if (shape.v6Vip()) vips.add("fd00:96::" + (10 + i));
        List<Endpoint> endpoints = new ArrayList<>();
        if (!shape.bySelector()) {
            for (int pod : shape.endpoints()) {
                Workload w = workloads.get(pod);
                EndpointState st = shape.terminating().contains(pod) ? EndpointState.TERMINATING : EndpointState.READY;
                // both addresses: the kernel picks among endpoints of the VIP's family, so each family sees the same
                // pods
                for (String ip : w.ips()) endpoints.add(new Endpoint(ip, w.key(), st));
            }
        }
        int target = targetPort(shape.port());
        List<ServicePort> ports = List.of(
                new ServicePort("tcp", shape.port(), target, Protocol.TCP),
                new ServicePort("udp", shape.port(), target, Protocol.UDP));
        return new Service(
                        MeshPods.NAMESPACE,
                        "s" + i,
                        vips,
                        ports,
                        endpoints,
                        shape.bySelector() ? Map.of("app", shape.app()) : Map.of(),
                        shape.lb(),
                        shape.affinity() ? SessionAffinity.clientIp(AFFINITY_TIMEOUT) : SessionAffinity.NONE,
                        ServiceLayer.L4)
                .withLocality(shape.locality());
    }

    static int targetPort(int servicePort) {
        return servicePort == 80 ? 8080 : 9090;
    }

    private static Policy policy(int i, PolicyShape shape, List<Service> services) {
        List<String> sources = shape.sources().stream()
                .map(n -> switch (n) {
                    case HOST_SOURCE -> Identities.HOST;
                    case ANY_SOURCE -> Identities.ANY;
                    default -> IDENTITIES.get(n);
                })
                .toList();
        List<String> destinations =
                shape.destinations().stream().map(IDENTITIES::get).toList();
        List<String> svc = List.copyOf(new LinkedHashSet<>(shape.services().stream()
                .map(n -> services.get(n % services.size()).key())
                .toList()));
        return new Policy(
                MeshPods.NAMESPACE, "pol" + i, shape.action(), sources, destinations, svc, shape.ports(), List.of());
    }

    private static Attempt attempt(AttemptShape a, List<Workload> workloads, List<Service> services) {
        String client =
                a.client() == MeshPods.LOCAL ? "" : workloads.get(a.client()).key();
        if (a.toService()) {
            Service svc = services.get(a.target() % services.size());
            String vip = a.v6() && svc.vips().size() > 1
                    ? svc.vips().get(1)
                    : svc.vips().getFirst();
            return new Attempt(client, vip, svc.ports().getFirst().port(), a.udp(), a.connected());
        }
        Workload w = workloads.get(a.target());
        return new Attempt(client, w.ips().get(a.v6() ? 1 : 0), a.port(), a.udp(), a.connected());
    }
}
