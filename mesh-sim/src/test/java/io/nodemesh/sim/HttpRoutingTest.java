package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.WeightedBackend;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** HTTP requests through the node proxy: first-match routing, weighted splits, L7 policy. */
class HttpRoutingTest {
    private static final String FRONT_VIP = "10.96.0.10";
    private static final Source CLIENT = Source.workload("shop/client");

    private final SimulatedDataplane dp = SimulatedDataplane.seeded(5);
    private final List<FlowEvent> events = new ArrayList<>();
    /** Two v1 pods and two v2 pods, all app=web. */
    private final List<Workload> pods = List.of(
            SimWorld.pod("web-v1-a", 0, 10, Map.of("app", "web", "version", "v1")),
            SimWorld.pod("web-v1-b", 1, 11, Map.of("app", "web", "version", "v1")),
            SimWorld.pod("web-v2-a", 1, 12, Map.of("app", "web", "version", "v2")),
            SimWorld.pod("web-v2-b", 2, 13, Map.of("app", "web", "version", "v2")));

    {
        dp.flows().subscribe(events::add);
    }

    @AfterEach
    void close() {
        dp.close();
    }

    private static Service service(String name, String vip, Map<String, String> selector, boolean l7) {
        return new Service(
                SimWorld.NS,
                name,
                List.of(vip),
                List.of(ServicePort.tcp(80, 8080)),
                List.of(),
                selector,
                LoadBalancing.RANDOM,
                SessionAffinity.NONE,
                l7 ? ServiceLayer.L7 : ServiceLayer.L4);
    }

    private static HttpRouteRule rule(List<HttpMatch> matches, WeightedBackend... backends) {
        return new HttpRouteRule(matches, List.of(backends), null, null);
    }

    /** shop/web (L7) routed: x-canary: true → v2; /api → v1 90 : v2 10; exactly / → web itself. Nothing else matches. */
    private MeshState.Builder routed() {
        HttpRoute route = new HttpRoute(
                SimWorld.NS,
                "web-split",
                "shop/web",
                List.of(
                        rule(
                                List.of(new HttpMatch(PathMatch.ANY, "", Map.of("X-Canary", "true"))),
                                new WeightedBackend("shop/web-v2", 0, 1)),
                        rule(
                                List.of(HttpMatch.path(PathMatch.prefix("/api"))),
                                new WeightedBackend("shop/web-v1", 0, 90),
                                new WeightedBackend("shop/web-v2", 80, 10)),
                        rule(List.of(HttpMatch.path(PathMatch.exact("/"))), new WeightedBackend("shop/web", 0, 1))));
        return SimWorld.state(pods)
                .service(service("web", FRONT_VIP, Map.of("app", "web"), true))
                .service(service("web-v1", "10.96.0.21", Map.of("version", "v1"), false))
                .service(service("web-v2", "10.96.0.22", Map.of("version", "v2"), false))
                .route(route);
    }

    @Test
    void weightedBackendsSplitWithinAStatisticalBound() {
        dp.apply(routed().build());
        int v2 = 0;
        int n = 2000;
        for (int i = 0; i < n; i++) {
            RequestResult.Routed r = routed(dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.get("/api/items?page=" + i)));
            assertThat(r.route()).isEqualTo("shop/web-split");
            assertThat(r.rule()).isEqualTo(1);
            assertThat(r.path()).isEqualTo(FlowPath.NODE_PROXY);
            assertThat(r.backend().port()).isEqualTo(8080);
            String version = r.backend().workload().contains("-v2-") ? "shop/web-v2" : "shop/web-v1";
            assertThat(r.service()).isEqualTo(version);
            if (version.equals("shop/web-v2")) v2++;
        }
        // Binomial(2000, 0.1): mean 200, sd 13.4; outside 130..270 (5.2 sd) has probability ≈ 2e-7 for a fair split.
        assertThat(v2).isBetween(130, 270);
    }

    @Test
    void theFirstMatchingRuleWinsAndAnUnmatchedRequestGets404() {
        dp.apply(routed().build());
        // /api matches rule 1 too, but the canary header's rule 0 comes first: every such request goes to v2.
        for (int i = 0; i < 50; i++) {
            RequestResult.Routed r = routed(
                    dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.get("/api").withHeader("x-canary", "true")));
            assertThat(r.rule()).isEqualTo(0);
            assertThat(r.service()).isEqualTo("shop/web-v2");
        }
        // A header value that differs does not match: falls through to rule 1.
        assertThat(routed(dp.request(
                                CLIENT, FRONT_VIP, 80, HttpRequest.get("/api").withHeader("x-canary", "false")))
                        .rule())
                .isEqualTo(1);
        // Exact "/" only: "/index.html" is in no rule.
        assertThat(routed(dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.get("/")))
                        .rule())
                .isEqualTo(2);
        RequestResult none = dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.get("/index.html"));
        assertThat(none).isInstanceOfSatisfying(RequestResult.Rejected.class, r -> {
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.verdict()).isEqualTo(Verdict.NO_BACKEND);
            assertThat(r.reason()).contains("GET /index.html", "shop/web");
        });
        assertThat(events.getLast().type()).isEqualTo(FlowEvent.Type.DROP);
    }

    @Test
    void withoutARouteTheProxySendsRequestsToTheServiceItself() {
        dp.apply(SimWorld.state(pods)
                .service(service("web", FRONT_VIP, Map.of("app", "web"), true))
                .build());
        RequestResult.Routed r = routed(dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.of("POST", "/anything")));
        assertThat(r.route()).isEmpty();
        assertThat(r.service()).isEqualTo("shop/web");
        FlowEvent e = events.getLast();
        assertThat(e.type()).isEqualTo(FlowEvent.Type.TRANSLATE);
        assertThat(e.path()).isEqualTo(FlowPath.NODE_PROXY);
        assertThat(e.backend()).isEqualTo(r.backend());
    }

    @Test
    void anL7DenyRejectsMatchingRequestsOnlyAndLeavesTheConnectionOpen() {
        Policy noAdminDelete = new Policy(
                SimWorld.NS,
                "no-admin-delete",
                PolicyAction.DENY,
                List.of(SimWorld.identity("client")),
                List.of(),
                List.of("shop/web"),
                List.of(),
                List.of(new HttpMatch(PathMatch.prefix("/admin"), "DELETE", Map.of())));
        dp.apply(routed().policy(noAdminDelete).build());
        // The deny has HTTP conditions, so it cannot refuse the TCP connection: only requests are judged.
        assertThat(dp.connect(CLIENT, FRONT_VIP, 80).connected()).isTrue();

        RequestResult denied = dp.request(
                CLIENT, FRONT_VIP, 80, new HttpRequest("DELETE", "/admin/users/7", Map.of("x-canary", "true")));
        assertThat(denied).isInstanceOfSatisfying(RequestResult.Rejected.class, r -> {
            assertThat(r.status()).isEqualTo(403);
            assertThat(r.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
            assertThat(r.reason()).contains("DELETE /admin/users/7", SimWorld.identity("client"));
        });
        FlowEvent drop = events.getLast();
        assertThat(drop.type()).isEqualTo(FlowEvent.Type.DROP);
        assertThat(drop.verdict()).isEqualTo(Verdict.DROPPED_POLICY);
        assertThat(drop.source().workload()).isEqualTo("shop/client");

        assertThat(dp.request(
                                CLIENT,
                                FRONT_VIP,
                                80,
                                HttpRequest.get("/admin/users/7").withHeader("x-canary", "true"))
                        .routed())
                .isTrue();
        // Someone the deny does not name may delete.
        assertThat(dp.request(
                                Source.host("node-a"),
                                FRONT_VIP,
                                80,
                                new HttpRequest("DELETE", "/admin/users/7", Map.of("x-canary", "true")))
                        .routed())
                .isTrue();
    }

    @Test
    void anL7AllowMakesTheServiceDefaultDenyForOtherRequests() {
        Policy readOnly = new Policy(
                SimWorld.NS,
                "read-only",
                PolicyAction.ALLOW,
                List.of(SimWorld.identity("client")),
                List.of(),
                List.of("shop/web"),
                List.of(),
                List.of(new HttpMatch(PathMatch.ANY, "GET", Map.of())));
        dp.apply(routed().policy(readOnly).build());
        assertThat(dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.get("/api/x")).routed())
                .isTrue();
        assertThat(dp.request(CLIENT, FRONT_VIP, 80, HttpRequest.of("POST", "/api/x")))
                .isInstanceOfSatisfying(
                        RequestResult.Rejected.class,
                        r -> assertThat(r.status()).isEqualTo(403));
        assertThat(dp.request(Source.host("node-a"), FRONT_VIP, 80, HttpRequest.get("/api/x"))
                        .routed())
                .as("no allow names host processes")
                .isFalse();
    }

    @Test
    void sameSeedSameRouting() {
        List<String> first = choices(SimulatedDataplane.seeded(77));
        List<String> second = choices(SimulatedDataplane.seeded(77));
        assertThat(first).isEqualTo(second);
        assertThat(choices(SimulatedDataplane.seeded(78))).isNotEqualTo(first);
    }

    @Test
    void requestsAreOnlyForL7Services() {
        dp.apply(routed().build());
        assertThatThrownBy(() -> dp.request(CLIENT, "10.96.0.21", 80, HttpRequest.get("/")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no L7 service has VIP 10.96.0.21:80");
        assertThatThrownBy(() -> HttpRequest.get("api")).hasMessageContaining("must start with '/'");
    }

    private List<String> choices(SimulatedDataplane sim) {
        try (sim) {
            sim.apply(routed().build());
            List<String> out = new ArrayList<>();
            for (int i = 0; i < 40; i++)
                out.add(routed(sim.request(CLIENT, FRONT_VIP, 80, HttpRequest.get("/api")))
                        .backend()
                        .workload());
            return out;
        }
    }

    private static RequestResult.Routed routed(RequestResult r) {
        assertThat(r).isInstanceOf(RequestResult.Routed.class);
        return (RequestResult.Routed) r;
    }
}
