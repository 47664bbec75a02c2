package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Placement;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Protocol;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;

/** Random valid mesh states for property tests: a few workloads, services and policies over a small identity pool. */
final class StateGen {
    private StateGen() {}

    static final List<String> IDENTITIES = List.of(
            "spiffe://cluster.local/ns/a/sa/web", "spiffe://cluster.local/ns/a/sa/api",
            "spiffe://cluster.local/ns/b/sa/db", "spiffe://cluster.local/ns/b/sa/cache");
    static final List<Integer> PORTS = List.of(80, 443, 8080);

    record WorkloadShape(int identity, int node, boolean dualStack, int app) {}

    record ServiceShape(
            int kind,
            int lb,
            boolean affinity,
            boolean dualStackVip,
            List<Integer> endpointStates,
            int app,
            boolean l7) {}

    record PolicyShape(
            boolean deny,
            List<String> sources,
            List<Integer> destinations,
            List<Integer> services,
            List<Integer> ports) {}

    static Arbitrary<MeshState> states() {
        Arbitrary<WorkloadShape> workload = Combinators.combine(
                        Arbitraries.integers().between(0, IDENTITIES.size() - 1),
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 2))
                .as(WorkloadShape::new);
        Arbitrary<ServiceShape> service = Combinators.combine(
                        Arbitraries.integers().between(0, 1),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.of(true, false),
                        Arbitraries.of(true, false),
                        Arbitraries.integers().between(0, 2).list().ofMaxSize(5),
                        Arbitraries.integers().between(0, 2),
                        Arbitraries.of(false, false, true))
                .as(ServiceShape::new);
        Arbitrary<String> source = Arbitraries.of(concat(IDENTITIES, List.of("host", "*")));
        Arbitrary<PolicyShape> policy = Combinators.combine(
                        Arbitraries.of(true, false),
                        source.list().ofMaxSize(2),
                        Arbitraries.integers()
                                .between(0, IDENTITIES.size() - 1)
                                .list()
                                .ofMaxSize(2),
                        Arbitraries.integers().between(0, 3).list().ofMaxSize(2),
                        Arbitraries.of(PORTS).list().ofMaxSize(2))
                .as(PolicyShape::new);
        return Combinators.combine(
                        workload.list().ofMaxSize(6),
                        service.list().ofMaxSize(4),
                        policy.list().ofMaxSize(5))
                .as(StateGen::build);
    }

    static MeshState build(List<WorkloadShape> ws, List<ServiceShape> ss, List<PolicyShape> ps) {
        var b = MeshState.builder();
        b.node(Node.of("n1", "192.168.0.1", "10.200.1.0/24"));
        b.node(Node.of("n2", "192.168.0.2", "10.200.2.0/24"));
        List<Workload> workloads = new ArrayList<>();
        for (int i = 0; i < ws.size(); i++) {
            WorkloadShape w = ws.get(i);
            int node = w.node() + 1;
            List<String> ips = w.dualStack()
                    ? List.of("10.200." + node + "." + (i + 10), "fd00:200::" + node + ":" + (i + 10))
                    : List.of("10.200." + node + "." + (i + 10));
            var wl = new Workload(
                    "a",
                    "w" + i,
                    "n" + node,
                    ips,
                    IDENTITIES.get(w.identity()),
                    Map.of("app", "app" + w.app()),
                    new Placement("/var/run/netns/w" + i, "pods/w" + i));
            workloads.add(wl);
            b.workload(wl);
        }
        for (int i = 0; i < ss.size(); i++) {
            ServiceShape s = ss.get(i);
            List<String> vips = s.dualStackVip()
                    ? List.of("10.96.0." + (i + 1), "fd00:96::" + (i + 1))
                    : List.of("10.96.0." + (i + 1));
            List<ServicePort> ports =
                    List.of(ServicePort.tcp(80, 8080), new ServicePort("dns", 53, 5353, Protocol.UDP));
            if (s.l7()) ports = List.of(ServicePort.tcp(80, 8080));
            List<Endpoint> endpoints = new ArrayList<>();
            Map<String, String> selector = Map.of();
            if (s.kind() == 0) {
                selector = Map.of("app", "app" + s.app());
            } else {
                for (int e = 0; e < s.endpointStates().size(); e++) {
                    boolean inMesh = e < workloads.size();
                    String ip = inMesh ? workloads.get(e).ips().get(0) : "172.16.0." + (e + 1);
                    endpoints.add(new Endpoint(
                            ip,
                            inMesh ? workloads.get(e).key() : "",
                            EndpointState.values()[s.endpointStates().get(e)]));
                }
            }
            b.service(new Service(
                    "a",
                    "s" + i,
                    vips,
                    ports,
                    endpoints,
                    selector,
                    LoadBalancing.values()[s.lb()],
                    s.affinity() ? SessionAffinity.clientIp(Duration.ofSeconds(30)) : SessionAffinity.NONE,
                    s.l7() ? ServiceLayer.L7 : ServiceLayer.L4));
        }
        for (int i = 0; i < ps.size(); i++) {
            PolicyShape p = ps.get(i);
            List<String> destinations = p.destinations().stream()
                    .distinct()
                    .map(IDENTITIES::get)
                    .filter(id -> workloads.stream().anyMatch(w -> w.identity().equals(id)))
                    .toList();
            List<String> services = p.services().stream()
                    .distinct()
                    .filter(s -> s < ss.size())
                    .map(s -> "a/s" + s)
                    .toList();
            List<String> sources = p.sources().stream()
                    .distinct()
                    .filter(id -> id.equals("host")
                            || id.equals("*")
                            || workloads.stream().anyMatch(w -> w.identity().equals(id)))
                    .toList();
            b.policy(new Policy(
                    "a",
                    "p" + i,
                    p.deny() ? PolicyAction.DENY : PolicyAction.ALLOW,
                    sources,
                    destinations,
                    services,
                    p.ports().stream().distinct().toList(),
                    List.of()));
        }
        return b.build();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        var out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
