package io.nodemesh.envoy;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Building blocks of test states. Backends live on loopback addresses 127.0.0.x so they can share one port. */
final class TestStates {
    static final String TD = "cluster.local";

    private TestStates() {}

    static Node nodeA() {
        return new Node("node-a", List.of("127.0.0.1"), List.of("127.0.0.0/24"), "");
    }

    static Workload workload(String name, String ip) {
        return new Workload(
                "shop",
                name,
                "node-a",
                List.of(ip),
                "spiffe://" + TD + "/ns/shop/sa/" + name,
                Map.of("app", name),
                null);
    }

    static Service l7(String name, String vip, int port, List<Endpoint> endpoints) {
        return new Service(
                "shop",
                name,
                List.of(vip),
                List.of(ServicePort.tcp(port, port)),
                endpoints,
                Map.of(),
                LoadBalancing.ROUND_ROBIN,
                SessionAffinity.NONE,
                ServiceLayer.L7);
    }

    static HttpRoute split(String service, int port, Map<String, Integer> weights) {
        List<WeightedBackend> backends = weights.entrySet().stream()
                .map(e -> new WeightedBackend("shop/" + e.getKey(), port, e.getValue()))
                .toList();
        return new HttpRoute(
                "shop",
                "split",
                service,
                List.of(new HttpRouteRule(List.of(), backends, Duration.ZERO, RetryPolicy.NONE)));
    }

    static HttpRouteRule rule(PathMatch path, String backend, Duration timeout, RetryPolicy retries) {
        return new HttpRouteRule(
                List.of(HttpMatch.path(path)), List.of(new WeightedBackend(backend, 0, 1)), timeout, retries);
    }
}
