package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.nodemesh.api.state.EncryptionSpec;
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

/**
 * Where node proxies are trusted: on backends' server listeners with mTLS only — not on the node proxy's own outbound
 * chains (they judge the pod itself), not without mTLS (no authenticated principal to trust).
 */
class NodeProxyTrustTest {
    private static final String WEB = "spiffe://td.test/ns/shop/sa/web";
    private static final Principal PROXY = Principal.newBuilder()
            .setAuthenticated(Principal.Authenticated.newBuilder()
                    .setPrincipalName(StringMatcher.newBuilder().setPrefix("spiffe://td.test/nodemesh/node-proxy/")))
            .build();
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

    private static MeshState state(EncryptionSpec.Mode mode, Policy... policies) {
        var b = MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .workload(new Workload("shop", "web", "node-a", List.of("10.0.0.5"), WEB, Map.of("app", "web"), null))
                .service(API)
                .encryption(new EncryptionSpec(mode, EncryptionSpec.Enforcement.STRICT, "td.test"));
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    private static Policy policy(String name, PolicyAction action, String source) {
        return new Policy("shop", name, action, List.of(source), List.of(), List.of("shop/api"), List.of(), List.of());
    }

    private static Principal principal(HttpFilter f, String policy) throws Exception {
        RBAC rules = f.getTypedConfig()
                .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class)
                .getRules();
        return rules.getPoliciesOrThrow(policy).getPrincipals(0);
    }

    @Test
    void serverRbacUnderMtlsAllowsNodeProxiesAndExemptsThemFromDenyExceptDenyAny() throws Exception {
        MeshState s = state(
                EncryptionSpec.Mode.MTLS,
                policy("allow", PolicyAction.ALLOW, WEB),
                policy("deny-host", PolicyAction.DENY, "host"),
                policy("deny-all", PolicyAction.DENY, "*"));
        List<HttpFilter> f = RbacTranslator.filters(s, API, List.of());
        // ALLOW web: web's principal, web's address, or a node proxy
        assertThat(principal(f.get(1), "shop/allow").getOrIds().getIdsList())
                .hasSize(3)
                .last()
                .isEqualTo(PROXY);
        // DENY host: the node's address, and not a node proxy
        Principal denyHost = principal(f.get(0), "shop/deny-host");
        assertThat(denyHost.getAndIds().getIds(0).getDirectRemoteIp().getAddressPrefix())
                .isEqualTo("192.168.0.1");
        assertThat(denyHost.getAndIds().getIds(1))
                .isEqualTo(Principal.newBuilder().setNotId(PROXY).build());
        // DENY *: still everyone
        assertThat(principal(f.get(0), "shop/deny-all"))
                .isEqualTo(Principal.newBuilder().setAny(true).build());
    }

    @Test
    void outboundChainsAndPlainModeTrustNoProxy() throws Exception {
        Policy allow = policy("allow", PolicyAction.ALLOW, WEB);
        Policy deny = policy("deny", PolicyAction.DENY, "host");
        List<HttpFilter> outbound = RbacTranslator.filters(
                state(EncryptionSpec.Mode.MTLS, allow, deny),
                API,
                List.of(),
                t -> t == 8080 ? Optional.of(80) : Optional.empty());
        List<HttpFilter> plain = RbacTranslator.filters(state(EncryptionSpec.Mode.NONE, allow, deny), API, List.of());
        for (List<HttpFilter> f : List.of(outbound, plain)) {
            assertThat(principal(f.get(1), "shop/allow").getOrIds().getIdsList())
                    .hasSize(2)
                    .doesNotContain(PROXY);
            assertThat(principal(f.get(0), "shop/deny").hasDirectRemoteIp()).isTrue();
        }
    }
}
