package io.nodemesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.statistics.Statistics;

/**
 * Whatever a cluster holds (pods sharing an address, services sharing a VIP or with impossible ports, pods on unknown
 * nodes, policies and routes naming what does not exist), quarantine reaches a valid state in a few rounds, and keeps
 * every object that no violation named.
 */
class QuarantineProperties {
    @Property(tries = 300)
    void alwaysReachesAValidStateKeepingTheInnocent(@ForAll("clusters") MeshState cluster) {
        Statistics.collect(cluster.validate().isEmpty() ? "valid as generated" : "needed quarantine");
        MeshState state = cluster;
        List<String> named = new ArrayList<>();
        for (int round = 0; ; round++) {
            List<Violation> violations = state.validate();
            if (violations.isEmpty()) break;
            assertThat(round).as("rounds; still: %s", violations).isLessThan(8);
            violations.forEach(v -> named.add(v.path().substring(0, v.path().indexOf(']') + 1)));
            state = Quarantine.without(state, violations, Map.of(), new HashMap<>(), new Verdicts(), new ArrayList<>());
            assertThat(state)
                    .as("every violation names an object: %s", violations)
                    .isNotNull();
        }
        for (Workload w : cluster.workloads()) {
            if (!named.contains("workloads[" + w.key() + "]"))
                assertThat(state.workloads()).contains(w);
        }
        for (Service s : cluster.services()) {
            if (!named.contains("services[" + s.key() + "]"))
                assertThat(state.services()).contains(s);
        }
        for (Policy p : cluster.policies()) {
            if (!named.contains("policies[" + p.key() + "]"))
                assertThat(state.policies()).contains(p);
        }
    }

    @Provide
    Arbitrary<MeshState> clusters() {
        Arbitrary<Workload> workloads = Combinators.combine(
                        Arbitraries.integers().between(1, 6), Arbitraries.of("node-a", "node-b", "node-x"),
                        Arbitraries.integers().between(1, 5), Arbitraries.of("web", "api", "db"))
                .as((n, node, ip, sa) -> new Workload(
                        "shop",
                        "pod-" + n,
                        node,
                        List.of("10.1.0." + ip),
                        "spiffe://cluster.local/ns/shop/sa/" + sa,
                        Map.of("app", sa),
                        null));
        Arbitrary<Service> services = Combinators.combine(
                        Arbitraries.integers().between(1, 5),
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.of(0, 80, 70000),
                        Arbitraries.integers().between(1, 7).list().ofMaxSize(3))
                .as((n, vip, port, eps) -> new Service(
                        "shop",
                        "svc-" + n,
                        List.of("10.96.0." + vip),
                        List.of(ServicePort.tcp(port == 0 ? 0 : 80, port)),
                        eps.stream()
                                .distinct()
                                .map(e -> Endpoint.ready("10.1.0." + e, e <= 6 ? "shop/pod-" + e : ""))
                                .toList(),
                        Map.of(),
                        null,
                        null,
                        ServiceLayer.L4));
        Arbitrary<Policy> policies = Combinators.combine(
                        Arbitraries.integers().between(1, 3),
                        Arbitraries.of("web", "api", "ghost"),
                        Arbitraries.integers().between(1, 6))
                .as((n, sa, svc) -> new Policy(
                        "shop",
                        "pol-" + n,
                        PolicyAction.ALLOW,
                        List.of("spiffe://cluster.local/ns/shop/sa/" + sa),
                        List.of(),
                        List.of("shop/svc-" + svc),
                        List.of(),
                        List.of()));
        Arbitrary<HttpRoute> routes = Arbitraries.integers()
                .between(1, 6)
                .map(svc -> new HttpRoute(
                        "shop",
                        "route-" + svc,
                        "shop/svc-" + svc,
                        List.of(new HttpRouteRule(
                                List.of(), List.of(new WeightedBackend("shop/svc-" + svc, 0, 1)), null, null))));
        return Combinators.combine(
                        workloads.list().ofMaxSize(8),
                        services.list().ofMaxSize(6),
                        policies.list().ofMaxSize(3),
                        routes.list().ofMaxSize(2))
                .as((w, s, p, r) -> new MeshState(
                        List.of(
                                Node.of("node-a", "192.168.0.1", "10.1.0.0/25"),
                                Node.of("node-b", "192.168.0.2", "10.1.0.128/25")),
                        w,
                        s,
                        p,
                        r,
                        null));
    }
}
