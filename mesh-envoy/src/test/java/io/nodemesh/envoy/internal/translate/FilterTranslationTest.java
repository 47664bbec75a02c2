package io.nodemesh.envoy.internal.translate;

import static org.assertj.core.api.Assertions.assertThat;

import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route rule's header edits and redirects on the Envoy routes of its service, and that Envoy's schema takes them. */
class FilterTranslationTest {
    private static final Service API = Service.builder("shop", "api")
            .vip("10.96.0.2")
            .tcp(80, 8080, AppProtocol.HTTP)
            .endpoint(Endpoint.ready("10.0.0.5", ""))
            .layer(ServiceLayer.L7)
            .build();

    private static MeshState state(HttpRouteRule rule) {
        MeshState s = MeshState.builder()
                .node(Node.of("node-a", "192.168.0.1", "10.0.0.0/24"))
                .service(API)
                .route(HttpRoute.of("shop", "api", "shop/api").rule(rule).build())
                .encryption(
                        new EncryptionSpec(EncryptionSpec.Mode.NONE, EncryptionSpec.Enforcement.PERMISSIVE, "td.test"))
                .build();
        assertThat(s.validate()).as("a valid state").isEmpty();
        return s;
    }

    private static Route route(HttpRouteRule rule) {
        MeshState s = state(rule);
        MeshResources r = new MeshTranslator(15001).shared(s);
        assertThat(ProtoSchemaCheck.check(r)).as("Envoy's schema rules").isEmpty();
        return RouteTranslator.routeConfiguration(s, API, API.ports().getFirst())
                .getVirtualHosts(0)
                .getRoutes(0);
    }

    private static HttpRouteRule forwarding(HttpFilter... filters) {
        HttpRouteRule.Builder b = HttpRouteRule.builder().pathPrefix("/v1").backend("shop/api", 1);
        for (HttpFilter f : filters) b.filter(f);
        return b.build();
    }

    private static HeaderValueOption option(String name, String value, HeaderValueOption.HeaderAppendAction action) {
        return HeaderValueOption.newBuilder()
                .setHeader(io.envoyproxy.envoy.config.core.v3.HeaderValue.newBuilder()
                        .setKey(name)
                        .setValue(value))
                .setAppendAction(action)
                .build();
    }

    @Test
    void requestHeaderEditsAreSetAsOverwriteAddAsAppendAndRemovedByLowerCaseName() {
        Route r = route(forwarding(
                new RequestHeaderModifier(Map.of("X-Tenant", "blue"), Map.of("x-trace", "mesh"), List.of("X-Debug"))));
        assertThat(r.getRequestHeadersToAddList())
                .containsExactly(
                        option("x-tenant", "blue", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD),
                        option("x-trace", "mesh", HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD));
        assertThat(r.getRequestHeadersToRemoveList()).containsExactly("x-debug");
        assertThat(r.getResponseHeadersToAddList()).isEmpty();
        assertThat(r.hasRoute()).as("still forwards").isTrue();
    }

    @Test
    void responseHeaderEditsGoOnTheResponse() {
        Route r = route(forwarding(
                new ResponseHeaderModifier(Map.of("cache-control", "no-store"), Map.of(), List.of("server"))));
        assertThat(r.getResponseHeadersToAddList())
                .containsExactly(option(
                        "cache-control", "no-store", HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD));
        assertThat(r.getResponseHeadersToRemoveList()).containsExactly("server");
        assertThat(r.getRequestHeadersToAddList()).isEmpty();
    }

    @Test
    void aRedirectIsTheRoutesActionWithItsPartsAndCode() {
        Route r = route(HttpRouteRule.builder()
                .pathPrefix("/old")
                .filter(new RequestRedirect("https", "new.example.com", 8443, "/new", 308))
                .build());
        assertThat(r.hasRoute()).as("no forwarding").isFalse();
        assertThat(r.getRedirect())
                .isEqualTo(RedirectAction.newBuilder()
                        .setSchemeRedirect("https")
                        .setHostRedirect("new.example.com")
                        .setPortRedirect(8443)
                        .setPathRedirect("/new")
                        .setResponseCode(RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT)
                        .build());
    }

    @Test
    void aRedirectLeavesOutWhatItKeeps() {
        Route r = route(HttpRouteRule.builder()
                .pathPrefix("/old")
                .filter(RequestRedirect.toHost("other.example"))
                .build());
        assertThat(r.getRedirect())
                .isEqualTo(RedirectAction.newBuilder()
                        .setHostRedirect("other.example")
                        .setResponseCode(RedirectAction.RedirectResponseCode.FOUND)
                        .build());
    }

    @Test
    void aRuleWithoutFiltersHasNoHeaderEdits() {
        Route r = route(forwarding());
        assertThat(r.getRequestHeadersToAddCount()
                        + r.getRequestHeadersToRemoveCount()
                        + r.getResponseHeadersToAddCount()
                        + r.getResponseHeadersToRemoveCount())
                .isZero();
        assertThat(r.hasRedirect()).isFalse();
    }
}
