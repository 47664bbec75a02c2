package io.nodemesh.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.SessionAffinity;
import io.nodemesh.api.state.Workload;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Route filters in the node proxy: header edits show on the forwarded request and the response; redirects answer. */
class HttpFilterTest {
    private static final String VIP = "10.96.0.10";
    private static final Source CLIENT = Source.workload("shop/client");
    private static final List<Workload> PODS = List.of(SimWorld.pod("web-a", 0, 10, Map.of("app", "web")));

    /** shop/web (L7) whose /api rule has {@code filters}; any other path goes through untouched. */
    private static MeshState state(HttpRouteRule api) {
        HttpRoute route = new HttpRoute(
                SimWorld.NS,
                "web",
                "shop/web",
                List.of(api, HttpRouteRule.builder().backend("shop/web", 1).build()));
        return SimWorld.state(PODS)
                .service(new Service(
                        SimWorld.NS,
                        "web",
                        List.of(VIP),
                        List.of(ServicePort.tcp(80, 8080)),
                        List.of(),
                        Map.of("app", "web"),
                        LoadBalancing.RANDOM,
                        SessionAffinity.NONE,
                        ServiceLayer.L7))
                .route(route)
                .build();
    }

    private static HttpRouteRule api(HttpFilter... filters) {
        HttpRouteRule.Builder b = HttpRouteRule.builder().pathPrefix("/api");
        for (HttpFilter f : filters) b.filter(f);
        boolean redirects = List.of(filters).stream().anyMatch(RequestRedirect.class::isInstance);
        return (redirects ? b : b.backend("shop/web", 1)).build();
    }

    @Test
    void requestHeadersAreRemovedThenSetThenAddedBeforeTheBackendSeesThem() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(3)) {
            dp.apply(state(api(new RequestHeaderModifier(
                    Map.of("X-Tenant", "blue"), Map.of("x-trace", "mesh"), List.of("x-debug")))));
            HttpRequest sent = HttpRequest.get("/api/items")
                    .withHeader("x-debug", "1")
                    .withHeader("x-tenant", "red")
                    .withHeader("x-trace", "client");
            RequestResult r = dp.request(CLIENT, VIP, 80, sent);
            assertThat(r).isInstanceOfSatisfying(RequestResult.Routed.class, routed -> {
                assertThat(routed.forwarded().headers())
                        .containsExactlyInAnyOrderEntriesOf(Map.of("x-tenant", "blue", "x-trace", "client, mesh"));
                assertThat(routed.responseHeaders()).isEmpty();
            });
            RequestResult other =
                    dp.request(CLIENT, VIP, 80, HttpRequest.get("/other").withHeader("x-debug", "1"));
            assertThat(((RequestResult.Routed) other).forwarded().headers()).containsEntry("x-debug", "1");
        }
    }

    @Test
    void responseHeadersAreSetOnTheWayBack() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(3)) {
            dp.apply(state(api(new ResponseHeaderModifier(
                    Map.of("cache-control", "no-store"), Map.of("x-served-by", "mesh"), List.of()))));
            RequestResult r = dp.request(CLIENT, VIP, 80, HttpRequest.get("/api"));
            assertThat(((RequestResult.Routed) r).responseHeaders())
                    .containsExactlyInAnyOrderEntriesOf(Map.of("cache-control", "no-store", "x-served-by", "mesh"));
        }
    }

    @Test
    void aRedirectAnswersWithItsStatusAndLocationAndNoBackendSeesTheRequest() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(3)) {
            List<FlowEvent> events = new ArrayList<>();
            dp.flows().subscribe(events::add);
            dp.apply(state(api(new RequestRedirect("https", "new.example.com", 0, "/v2", 301))));
            RequestResult r = dp.request(
                    CLIENT, VIP, 80, HttpRequest.get("/api/items?x=1").withHeader("host", "web.shop:80"));
            assertThat(r).isEqualTo(new RequestResult.Redirected("shop/web", 0, 301, "https://new.example.com/v2"));
            assertThat(events).noneMatch(e -> e.type() == FlowEvent.Type.TRANSLATE);
        }
    }

    @Test
    void aRedirectKeepsWhatItDoesNotReplace() {
        try (SimulatedDataplane dp = SimulatedDataplane.seeded(3)) {
            dp.apply(state(api(RequestRedirect.toHost("other.example"))));
            assertThat(dp.request(CLIENT, VIP, 80, HttpRequest.get("/api/a?b=c").withHeader("host", "web:8080")))
                    .isEqualTo(new RequestResult.Redirected("shop/web", 0, 302, "http://other.example:8080/api/a?b=c"));
            assertThat(dp.request(CLIENT, VIP, 80, HttpRequest.get("/api")))
                    .as("no Host header: the address it was sent to")
                    .isEqualTo(new RequestResult.Redirected("shop/web", 0, 302, "http://other.example/api"));
        }
    }
}
