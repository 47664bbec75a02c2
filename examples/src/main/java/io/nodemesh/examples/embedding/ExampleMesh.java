package io.nodemesh.examples.embedding;

import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.Workload;
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
        b.service(service("cart", CART_VIP).tcp(80, 8080).select("app", "cart").build());
        b.service(service("web", WEB_VIP)
                .tcp(80, 8080)
                .select("app", "web")
                .layer(ServiceLayer.L7)
                .build());
        b.service(service("web-v1", "10.96.0.11")
                .tcp(80, 8080)
                .select("version", "v1")
                .build());
        b.service(service("web-v2", "10.96.0.12")
                .tcp(80, 8080)
                .select("version", "v2")
                .build());
        b.service(service("dns", DNS_VIP).udp(53, 5353).select("app", "dns").build());
        b.route(HttpRoute.of(NS, "web-canary", "shop/web")
                .rule(HttpRouteRule.builder()
                        .pathPrefix("/api")
                        .backend("shop/web-v1", 80)
                        .backend("shop/web-v2", 20)
                        .build())
                .rule(HttpRouteRule.builder().backend("shop/web-v1", 1).build())
                .build());
        b.policy(Policy.deny(NS, "batch-not-cart")
                .from(identity("batch"))
                .toServices("shop/cart")
                .build());
        return b;
    }

    private static Workload pod(String name, String node, String ip, Map<String, String> labels) {
        String sa = name.replaceAll("-(\\d+|v\\d+)$", "");
        return Workload.builder(NS, name)
                .node(node)
                .ip(ip)
                .identity(identity(sa))
                .labels(labels)
                .build();
    }

    private static Service.Builder service(String name, String vip) {
        return Service.builder(NS, name).vip(vip);
    }
}
