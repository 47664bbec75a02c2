package io.nodemesh.examples.embedding;

import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;

import java.util.List;
import java.util.Map;

/**
 * The small mesh the embedding examples share, built in code: two nodes; a TCP service {@code shop/cart}; an L7
 * service {@code shop/web} whose route sends {@code /api} 80:20 to its v1 and v2 pods; a UDP service
 * {@code shop/dns}; and a deny that keeps {@code shop/batch} away from {@code shop/cart}.
 */
final class ExampleMesh {
    static final String NS = "shop";
    static final String CART_VIP = "10.96.0.20";
    static final String WEB_VIP = "10.96.0.10";
    static final String DNS_VIP = "10.96.0.53";

    private ExampleMesh() {}

    static String identity(String sa) {
        return "spiffe://cluster.local/ns/" + NS + "/sa/" + sa;
    }

    static MeshState.Builder builder() {
        MeshState.Builder b = MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.1.0.0/24"))
                .node(Node.of("node-b", "192.168.0.2", "10.2.0.0/24"));
        b.workload(pod("frontend", "node-a", "10.1.0.2", Map.of("app", "frontend")));
        b.workload(pod("batch", "node-b", "10.2.0.2", Map.of("app", "batch")));
        b.workload(pod("cart-1", "node-a", "10.1.0.10", Map.of("app", "cart")));
        b.workload(pod("cart-2", "node-b", "10.2.0.10", Map.of("app", "cart")));
        b.workload(pod("web-v1", "node-a", "10.1.0.20", Map.of("app", "web", "version", "v1")));
        b.workload(pod("web-v2", "node-b", "10.2.0.20", Map.of("app", "web", "version", "v2")));
        b.workload(pod("dns-1", "node-b", "10.2.0.53", Map.of("app", "dns")));
        b.service(service("cart", CART_VIP, ServicePort.tcp(80, 8080), Map.of("app", "cart"), false));
        b.service(service("web", WEB_VIP, ServicePort.tcp(80, 8080), Map.of("app", "web"), true));
        b.service(service("web-v1", "10.96.0.11", ServicePort.tcp(80, 8080), Map.of("version", "v1"), false));
        b.service(service("web-v2", "10.96.0.12", ServicePort.tcp(80, 8080), Map.of("version", "v2"), false));
        b.service(service("dns", DNS_VIP, ServicePort.udp(53, 5353), Map.of("app", "dns"), false));
        b.route(new HttpRoute(NS, "web-canary", "shop/web", List.of(
                new HttpRouteRule(List.of(HttpMatch.path(PathMatch.prefix("/api"))),
                        List.of(new WeightedBackend("shop/web-v1", 0, 80), new WeightedBackend("shop/web-v2", 0, 20)), null, null),
                new HttpRouteRule(List.of(), List.of(new WeightedBackend("shop/web-v1", 0, 1)), null, null))));
        b.policy(new Policy(NS, "batch-not-cart", PolicyAction.DENY, List.of(identity("batch")), List.of(),
                List.of("shop/cart"), List.of(), List.of()));
        return b;
    }

    private static Workload pod(String name, String node, String ip, Map<String, String> labels) {
        String sa = name.replaceAll("-(\\d+|v\\d+)$", "");
        return new Workload(NS, name, node, List.of(ip), identity(sa), labels, null);
    }

    private static Service service(String name, String vip, ServicePort port, Map<String, String> selector, boolean l7) {
        return new Service(NS, name, List.of(vip), List.of(port), List.of(), selector, LoadBalancing.RANDOM,
                SessionAffinity.NONE, l7 ? ServiceLayer.L7 : ServiceLayer.L4);
    }
}
