package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Policy → RBAC: filter order and presence follow MeshIndex.allows; ports are seen as each proxy sees them. */
class RbacTranslatorTest {
    private static final String WEB = "spiffe://cluster.local/ns/shop/sa/web";
    private static final Service API = new Service(
            "shop",
            "api",
            List.of("10.96.0.2"),
            List.of(new ServicePort("http", 80, 8080, null)),
            List.of(),
            Map.of("app", "api"),
            LoadBalancing.ROUND_ROBIN,
            SessionAffinity.NONE,
            ServiceLayer.L7);

    private static MeshState state(Policy... policies) {
        var b = MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .workload(new Workload("shop", "web", "node-a", List.of("10.0.0.5"), WEB, Map.of("app", "web"), null))
                .workload(new Workload(
                        "shop",
                        "api",
                        "node-a",
                        List.of("10.0.0.6"),
                        "spiffe://cluster.local/ns/shop/sa/api",
                        Map.of("app", "api"),
                        null))
                .service(API);
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    private static RBAC rules(HttpFilter f) throws Exception {
        return f.getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class)
                .getRules();
    }

    @Test
    void noPolicyNoFilterDenyThenAllowInThatOrder() throws Exception {
        assertThat(RbacTranslator.filters(state(), API, List.of())).isEmpty();
        Policy allow = new Policy(
                "shop",
                "allow",
                PolicyAction.ALLOW,
                List.of(WEB),
                List.of(),
                List.of("shop/api"),
                List.of(8080),
                List.of());
        Policy deny = new Policy(
                "shop",
                "deny",
                PolicyAction.DENY,
                List.of("host"),
                List.of(),
                List.of("shop/api"),
                List.of(),
                List.of());
        List<HttpFilter> f = RbacTranslator.filters(state(allow, deny), API, List.of());
        assertThat(f)
                .extracting(HttpFilter::getName)
                .containsExactly("envoy.filters.http.rbac.deny", "envoy.filters.http.rbac.allow");
        assertThat(rules(f.get(0)).getAction()).isEqualTo(RBAC.Action.DENY);
        // host = the node's addresses
        assertThat(rules(f.get(0))
                        .getPoliciesOrThrow("shop/deny")
                        .getPrincipals(0)
                        .getDirectRemoteIp()
                        .getAddressPrefix())
                .isEqualTo("192.168.0.1");
        // a SPIFFE source: its mTLS principal or its workloads' addresses
        var ids = rules(f.get(1))
                .getPoliciesOrThrow("shop/allow")
                .getPrincipals(0)
                .getOrIds()
                .getIdsList();
        assertThat(ids.get(0).getAuthenticated().getPrincipalName().getExact()).isEqualTo(WEB);
        assertThat(ids.get(1).getDirectRemoteIp().getAddressPrefix()).isEqualTo("10.0.0.5");
    }

    @Test
    void targetPortsBecomeThePortsTheProxySees() throws Exception {
        Policy onTarget = new Policy(
                "shop",
                "a",
                PolicyAction.ALLOW,
                List.of(WEB),
                List.of(),
                List.of("shop/api"),
                List.of(8080),
                List.of());
        Policy elsewhere = new Policy(
                "shop",
                "b",
                PolicyAction.ALLOW,
                List.of(WEB),
                List.of(),
                List.of("shop/api"),
                List.of(9999),
                List.of());
        MeshState s = state(onTarget, elsewhere);
        // The node proxy's outbound chain for port 80 sees destination port 80.
        var outbound =
                rules(RbacTranslator.filters(s, API, List.of(), t -> t == 8080 ? Optional.of(80) : Optional.empty())
                        .getFirst());
        assertThat(outbound.getPoliciesOrThrow("shop/a").getPermissions(0).getDestinationPort())
                .isEqualTo(80);
        assertThat(outbound.getPoliciesOrThrow("shop/b").getPermissions(0))
                .isEqualTo(Permission.newBuilder()
                        .setNotRule(Permission.newBuilder().setAny(true))
                        .build());
        // The backend's gRPC server sees the target port itself.
        var inbound = rules(RbacTranslator.filters(s, API, List.of()).getFirst());
        assertThat(inbound.getPoliciesOrThrow("shop/a").getPermissions(0).getDestinationPort())
                .isEqualTo(8080);
    }
}
