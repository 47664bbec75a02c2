package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.WeightedBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Gateway API routes attached to Services (GAMMA), built with fabric8's Gateway API builders, stored in fabric8's mock
 * API server in CRUD mode and read by one agent: the exact MeshState routes they become, and each refusal.
 */
class GatewayRoutesTest {
    static final ResourceDefinitionContext HTTP_ROUTE = ctx("HTTPRoute", "httproutes");
    static final ResourceDefinitionContext GRPC_ROUTE = ctx("GRPCRoute", "grpcroutes");

    MockApiServer api;
    Cluster cluster;
    RecordingDataplane dataplane;
    KubernetesFeed feed;

    @BeforeEach
    void cluster() throws Exception {
        api = new MockApiServer();
        cluster = new Cluster(api.client());
        cluster.node("node-a", "192.168.10.1", "10.1.1.0/24");
        cluster.pod("shop", "api-1", "node-a", "10.1.1.6", "api", Map.of("app", "api"));
        cluster.pod("shop", "api-v2-1", "node-a", "10.1.1.7", "api", Map.of("app", "api-v2"));
        cluster.pod("shop", "greeter-1", "node-a", "10.1.1.8", "greeter", Map.of("app", "greeter"));
        cluster.service("shop", "api", "10.96.0.10", 80, 8080);
        cluster.slice("shop", "api", "api-abc", 8080, List.of(Ep.ready("10.1.1.6", "api-1")));
        cluster.service("shop", "api-v2", "10.96.0.11", 80, 8080);
        cluster.slice("shop", "api-v2", "api-v2-abc", 8080, List.of(Ep.ready("10.1.1.7", "api-v2-1")));
        cluster.service("shop", "greeter", "10.96.0.12", 50051, 50051);
        cluster.slice("shop", "greeter", "greeter-abc", 50051, List.of(Ep.ready("10.1.1.8", "greeter-1")));
        dataplane = new RecordingDataplane();
    }

    @AfterEach
    void stop() {
        if (feed != null) feed.close();
        api.close();
    }

    void start() throws InterruptedException {
        feed = KubernetesFeed.start(api.newClient(), dataplane, FeedOptions.forNode("node-a"));
        assertThat(feed.awaitReady(Eventually.TIMEOUT))
                .as("ready: %s", feed.health())
                .isTrue();
    }

    @Test
    void weightedSplitHeaderMatchHeaderModifiersAndTimeoutsBecomeOneRouteInPrecedenceOrder() throws Exception {
        start();
        create(httpRoute("api-split", "api")
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/v2")
                .endPath()
                .withMethod("GET")
                .addNewHeader()
                .withName("x-canary")
                .withValue("yes")
                .endHeader()
                .endMatch()
                .addNewFilter()
                .withType("RequestHeaderModifier")
                .withNewRequestHeaderModifier()
                .addNewSet()
                .withName("x-route")
                .withValue("canary")
                .endSet()
                .addNewAdd()
                .withName("x-hop")
                .withValue("mesh")
                .endAdd()
                .addToRemove("x-debug")
                .endRequestHeaderModifier()
                .endFilter()
                .addNewFilter()
                .withType("ResponseHeaderModifier")
                .withNewResponseHeaderModifier()
                .addNewSet()
                .withName("x-served-by")
                .withValue("nodemesh")
                .endSet()
                .endResponseHeaderModifier()
                .endFilter()
                .addNewBackendRef()
                .withName("api-v2")
                .withPort(80)
                .endBackendRef()
                .withNewTimeouts()
                .withRequest("2s")
                .endTimeouts()
                .endRule()
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("Exact")
                .withValue("/health")
                .endPath()
                .endMatch()
                .addNewBackendRef()
                .withName("api")
                .withPort(80)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewBackendRef()
                .withName("api")
                .withPort(80)
                .withWeight(90)
                .endBackendRef()
                .addNewBackendRef()
                .withName("api-v2")
                .withPort(80)
                .withWeight(10)
                .endBackendRef()
                .withNewTimeouts()
                .withRequest("5s")
                .withBackendRequest("1500ms")
                .endTimeouts()
                .endRule()
                .endSpec()
                .build());

        // Gateway API precedence: the exact path before the prefix before the catch-all, whatever the list order.
        HttpRoute expected = HttpRoute.of("shop", "httproute-api-split", "shop/api")
                .rule(HttpRouteRule.builder()
                        .match(HttpMatch.path(PathMatch.exact("/health")))
                        .backend(new WeightedBackend("shop/api", 80, 1))
                        .build())
                .rule(HttpRouteRule.builder()
                        .match(new HttpMatch(PathMatch.prefix("/v2"), "GET", Map.of("x-canary", "yes")))
                        .backend(new WeightedBackend("shop/api-v2", 80, 1))
                        .timeout(Duration.ofSeconds(2))
                        .filter(new RequestHeaderModifier(
                                Map.of("x-route", "canary"), Map.of("x-hop", "mesh"), List.of("x-debug")))
                        .filter(new ResponseHeaderModifier(Map.of("x-served-by", "nodemesh"), Map.of(), List.of()))
                        .build())
                .rule(HttpRouteRule.builder()
                        .backend(new WeightedBackend("shop/api", 80, 90))
                        .backend(new WeightedBackend("shop/api-v2", 80, 10))
                        // No retries: one backend request is the whole request, so the shorter bound is the timeout.
                        .timeout(Duration.ofMillis(1500))
                        .build())
                .build();
        Eventually.until("route applied", () -> dataplane.state().routes().equals(List.of(expected)), this::routes);
        assertThat(service("shop/api").orElseThrow().l7()).isTrue();
        assertThat(service("shop/api-v2").orElseThrow().l7()).isFalse();
        Eventually.until("Accepted=True in status.parents", () -> {
            var c = parentCondition(HTTP_ROUTE, "api-split");
            return c != null && "True".equals(c.get("status")) && "Accepted".equals(c.get("reason"));
        });
    }

    @Test
    void aRedirectAnswersWithoutBackends() throws Exception {
        start();
        create(httpRoute("api-moved", "api")
                .addNewRule()
                .addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/old")
                .endPath()
                .endMatch()
                .addNewFilter()
                .withType("RequestRedirect")
                .withNewRequestRedirect()
                .withScheme("https")
                .withHostname("shop.example.com")
                .withNewPath()
                .withType("ReplaceFullPath")
                .withReplaceFullPath("/new")
                .endPath()
                .withStatusCode(301)
                .endRequestRedirect()
                .endFilter()
                .endRule()
                .addNewRule()
                .addNewBackendRef()
                .withName("api")
                .withPort(80)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        HttpRoute expected = HttpRoute.of("shop", "httproute-api-moved", "shop/api")
                .rule(HttpRouteRule.builder()
                        .pathPrefix("/old")
                        .filter(new RequestRedirect("https", "shop.example.com", 0, "/new", 301))
                        .build())
                .rule(HttpRouteRule.builder()
                        .backend(new WeightedBackend("shop/api", 80, 1))
                        .build())
                .build();
        Eventually.until("redirect applied", () -> dataplane.state().routes().equals(List.of(expected)), this::routes);
    }

    @Test
    void grpcMethodMatchesBecomePathMatchesAndTheBackendsSpeakHttp2() throws Exception {
        start();
        assertThat(service("shop/greeter").orElseThrow().ports().getFirst().appProtocol())
                .isEqualTo(AppProtocol.TCP);
        create(new GRPCRouteBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("greeter")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withGroup("")
                .withKind("Service")
                .withName("greeter")
                .endParentRef()
                .addNewRule()
                .addNewMatch()
                .withNewMethod()
                .withService("helloworld.Greeter")
                .endMethod()
                .endMatch()
                .addNewBackendRef()
                .withName("greeter")
                .withPort(50051)
                .endBackendRef()
                .endRule()
                .addNewRule()
                .addNewMatch()
                .withNewMethod()
                .withService("helloworld.Greeter")
                .withMethod("SayHello")
                .endMethod()
                .addNewHeader()
                .withName("x-tenant")
                .withValue("blue")
                .endHeader()
                .endMatch()
                .addNewMatch()
                .withNewMethod()
                .withMethod("Check")
                .endMethod()
                .endMatch()
                .addNewFilter()
                .withType("RequestHeaderModifier")
                .withNewRequestHeaderModifier()
                .addNewSet()
                .withName("x-lane")
                .withValue("hello")
                .endSet()
                .endRequestHeaderModifier()
                .endFilter()
                .addNewBackendRef()
                .withName("greeter")
                .withPort(50051)
                .withWeight(3)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build());
        var lane = new RequestHeaderModifier(Map.of("x-lane", "hello"), Map.of(), List.of());
        var hello = new WeightedBackend("shop/greeter", 50051, 3);
        // Longest service, then longest method first: SayHello, the whole service, then Check on any service.
        HttpRoute expected = HttpRoute.of("shop", "grpcroute-greeter", "shop/greeter")
                .rule(HttpRouteRule.builder()
                        .match(new HttpMatch(
                                PathMatch.exact("/helloworld.Greeter/SayHello"), "", Map.of("x-tenant", "blue")))
                        .backend(hello)
                        .filter(lane)
                        .build())
                .rule(HttpRouteRule.builder()
                        .pathPrefix("/helloworld.Greeter/")
                        .backend(new WeightedBackend("shop/greeter", 50051, 1))
                        .build())
                .rule(HttpRouteRule.builder()
                        .match(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "/[^/]+/Check")))
                        .backend(hello)
                        .filter(lane)
                        .build())
                .build();
        Eventually.until(
                "gRPC route applied", () -> dataplane.state().routes().equals(List.of(expected)), this::routes);
        Service greeter = service("shop/greeter").orElseThrow();
        assertThat(greeter.l7()).isTrue();
        assertThat(greeter.ports().getFirst().appProtocol()).isEqualTo(AppProtocol.GRPC);
        Eventually.until("Accepted=True", () -> {
            var c = parentCondition(GRPC_ROUTE, "greeter");
            return c != null && "True".equals(c.get("status"));
        });
    }

    @Test
    void anUpdateAndADeleteReachTheState() throws Exception {
        start();
        create(httpRoute("api-split", "api").addToRules(split(90, 10)).endSpec().build());
        Eventually.until("90/10", () -> weights().equals(List.of(90, 10)), this::routes);

        edit(HTTPRoute.class, "api-split", r -> {
            r.getSpec().setRules(List.of(split(50, 50)));
            return r;
        });
        Eventually.until("50/50", () -> weights().equals(List.of(50, 50)), this::routes);

        api.client()
                .resources(HTTPRoute.class)
                .inNamespace("shop")
                .withName("api-split")
                .delete();
        Eventually.until("route gone", () -> dataplane.state().routes().isEmpty(), this::routes);
        Eventually.until(
                "service back to L4", () -> !service("shop/api").orElseThrow().l7());
    }

    @Test
    void whatCannotBeMappedIsRefusedByFieldAndTheLastGoodVersionKeepsServing() throws Exception {
        start();
        create(httpRoute("api-split", "api").addToRules(split(90, 10)).endSpec().build());
        Eventually.until("route applied", () -> weights().equals(List.of(90, 10)), this::routes);
        HttpRoute good = dataplane.state().routes().getFirst();

        // An unsupported filter, a backend that is not a Service, a query match: each named by its field.
        edit(HTTPRoute.class, "api-split", r -> {
            r.getSpec()
                    .setRules(List.of(new HTTPRouteRuleBuilder()
                            .addNewMatch()
                            .addNewQueryParam()
                            .withName("lane")
                            .withValue("b")
                            .endQueryParam()
                            .endMatch()
                            .addNewFilter()
                            .withType("URLRewrite")
                            .withNewUrlRewrite()
                            .withHostname("elsewhere")
                            .endUrlRewrite()
                            .endFilter()
                            .addNewBackendRef()
                            .withGroup("multicluster.x-k8s.io")
                            .withKind("ServiceImport")
                            .withName("api")
                            .withPort(80)
                            .endBackendRef()
                            .build()));
            return r;
        });
        Eventually.until("Accepted=False", () -> {
            var c = parentCondition(HTTP_ROUTE, "api-split");
            return c != null && "False".equals(c.get("status"));
        });
        assertThat((String) parentCondition(HTTP_ROUTE, "api-split").get("message"))
                .startsWith("3 violations")
                .contains("spec.rules[0].filters[0].type: 'URLRewrite' is not supported by nodemesh")
                .contains("spec.rules[0].backendRefs[0].kind: 'multicluster.x-k8s.io/ServiceImport' is not a"
                        + " Service")
                .contains("spec.rules[0].matches[0].queryParams: query parameter matches are not supported")
                .endsWith("(the previous version keeps serving)");
        assertThat(dataplane.state().routes()).containsExactly(good);

        // What only MeshState validation can tell (the backend does not exist) is put on the object's own field.
        edit(HTTPRoute.class, "api-split", r -> {
            r.getSpec()
                    .setRules(List.of(new HTTPRouteRuleBuilder()
                            .addNewBackendRef()
                            .withName("api")
                            .withPort(80)
                            .endBackendRef()
                            .addNewBackendRef()
                            .withName("nope")
                            .withPort(80)
                            .endBackendRef()
                            .build()));
            return r;
        });
        Eventually.until("unknown backend named", () -> {
            var c = parentCondition(HTTP_ROUTE, "api-split");
            return c != null && String.valueOf(c.get("message")).contains("nope");
        });
        assertThat((String) parentCondition(HTTP_ROUTE, "api-split").get("message"))
                .isEqualTo("1 violation: spec.rules[0].backendRefs[1].service: unknown service 'shop/nope'"
                        + " (the previous version keeps serving)");
        assertThat(dataplane.state().routes()).containsExactly(good);
    }

    @Test
    void aSecondRouteForTheSameServiceIsRefusedNamingTheFirst() throws Exception {
        start();
        create(httpRoute("a-first", "api").addToRules(split(90, 10)).endSpec().build());
        Eventually.until("first applied", () -> weights().equals(List.of(90, 10)), this::routes);
        create(httpRoute("b-second", "api").addToRules(split(50, 50)).endSpec().build());
        Eventually.until("second refused", () -> {
            var c = parentCondition(HTTP_ROUTE, "b-second");
            return c != null && "False".equals(c.get("status"));
        });
        assertThat((String) parentCondition(HTTP_ROUTE, "b-second").get("message"))
                .isEqualTo("1 violation: spec.parentRefs[0]: service shop/api is already routed by HTTPRoute"
                        + " shop/a-first (the older): two routes for one service are refused, as which would win is"
                        + " undefined; put their rules in one route (not applied)");
        assertThat(dataplane.state().routes()).extracting(HttpRoute::name).containsExactly("httproute-a-first");
    }

    @Test
    void aMeshHttpRouteAndAnHttpRouteForOneServiceRefuseTheNewerEitherWay() throws Exception {
        start();
        cluster.route(
                "shop",
                "a-mesh",
                Map.of("service", "api", "rules", List.of(Map.of("backends", List.of(Map.of("service", "api"))))));
        Eventually.until(
                "MeshHttpRoute applied", () -> dataplane.state().routes().size() == 1, this::routes);
        create(httpRoute("b-gateway", "api").addToRules(split(50, 50)).endSpec().build());
        Eventually.until("HTTPRoute refused", () -> {
            var c = parentCondition(HTTP_ROUTE, "b-gateway");
            return c != null && "False".equals(c.get("status"));
        });
        assertThat((String) parentCondition(HTTP_ROUTE, "b-gateway").get("message"))
                .contains("spec.parentRefs[0]: service shop/api is already routed by MeshHttpRoute shop/a-mesh");
        assertThat(dataplane.state().routes()).extracting(HttpRoute::name).containsExactly("a-mesh");

        // The other way round: an HTTPRoute serving, then a MeshHttpRoute for its service.
        create(httpRoute("a-gateway", "api-v2")
                .addToRules(split(50, 50))
                .endSpec()
                .build());
        Eventually.until(
                "HTTPRoute for api-v2 applied", () -> dataplane.state().routes().size() == 2, this::routes);
        cluster.route(
                "shop",
                "b-mesh",
                Map.of(
                        "service",
                        "api-v2",
                        "rules",
                        List.of(Map.of("backends", List.of(Map.of("service", "api-v2"))))));
        Eventually.until("MeshHttpRoute refused", () -> {
            var c = cluster.accepted(Cluster.ROUTE, "shop", "b-mesh");
            return c != null && "False".equals(c.get("status"));
        });
        assertThat((String) cluster.accepted(Cluster.ROUTE, "shop", "b-mesh").get("message"))
                .contains("spec.service: service shop/api-v2 is already routed by HTTPRoute shop/a-gateway");
        assertThat(dataplane.state().routes())
                .extracting(HttpRoute::name)
                .containsExactly("a-mesh", "httproute-a-gateway");
    }

    @Test
    void gatewayParentsAreIgnoredAndServiceParentsServed() throws Exception {
        start();
        // Attached to a Gateway only: an ingress route, another controller's; the mesh writes no status on it.
        create(new HTTPRouteBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("ingress")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withName("public-gateway")
                .endParentRef()
                .addToRules(split(50, 50))
                .endSpec()
                .build());
        // Attached to a Gateway and a Service: the Service's part is the mesh's.
        create(new HTTPRouteBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("both")
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withGroup("gateway.networking.k8s.io")
                .withKind("Gateway")
                .withName("public-gateway")
                .endParentRef()
                .addNewParentRef()
                .withGroup("")
                .withKind("Service")
                .withName("api")
                .endParentRef()
                .addToRules(split(70, 30))
                .endSpec()
                .build());
        Eventually.until("Service parent served", () -> weights().equals(List.of(70, 30)), this::routes);
        assertThat(dataplane.state().routes()).extracting(HttpRoute::name).containsExactly("httproute-both");
        Eventually.until("status on the Service parent", () -> parentCondition(HTTP_ROUTE, "both") != null);
        var parents = parents(HTTP_ROUTE, "both");
        assertThat(parents).hasSize(1);
        assertThat(parents.getFirst().get("parentRef"))
                .isEqualTo(Map.of("group", "", "kind", "Service", "name", "api"));
        assertThat(parents(HTTP_ROUTE, "ingress")).isEmpty();
    }

    @Test
    void withoutGatewayApiInstalledTheFeedGoesOnAndPicksItUpOnceServed() throws Exception {
        api.notServed("/apis/gateway.networking.k8s.io");
        start();
        assertThat(feed.health().ready()).isTrue();
        assertThat(feed.health().problems()).isEmpty();
        cluster.route(
                "shop",
                "api-mesh",
                Map.of("service", "api", "rules", List.of(Map.of("backends", List.of(Map.of("service", "api"))))));
        Eventually.until(
                "MeshHttpRoute still served", () -> dataplane.state().routes().size() == 1, this::routes);

        // The CRDs are installed later: the informers, retrying quietly, list them and the routes come in.
        api.notServed(null);
        create(httpRoute("api-v2-split", "api-v2")
                .addToRules(split(60, 40))
                .endSpec()
                .build());
        Eventually.until(
                "HTTPRoute served once Gateway API is",
                () -> dataplane.state().routes().stream().anyMatch(r -> r.name().equals("httproute-api-v2-split")),
                this::routes);
    }

    // --- helpers ---

    private HTTPRouteBuilder.SpecNested<HTTPRouteBuilder> httpRoute(String name, String service) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName(name)
                .endMetadata()
                .withNewSpec()
                .addNewParentRef()
                .withGroup("")
                .withKind("Service")
                .withName(service)
                .endParentRef();
    }

    /** One rule sending {@code api}'s traffic to api and api-v2 by these weights. */
    private static HTTPRouteRule split(int api, int v2) {
        return new HTTPRouteRuleBuilder()
                .addNewBackendRef()
                .withName("api")
                .withPort(80)
                .withWeight(api)
                .endBackendRef()
                .addNewBackendRef()
                .withName("api-v2")
                .withPort(80)
                .withWeight(v2)
                .endBackendRef()
                .build();
    }

    private void create(HasMetadata route) {
        api.client().resource(route).create();
    }

    private <T extends HasMetadata> void edit(Class<T> type, String name, UnaryOperator<T> change) {
        for (int attempt = 0; ; attempt++) {
            try {
                api.client().resources(type).inNamespace("shop").withName(name).edit(change);
                return;
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 10) throw e; // the agent writes status concurrently
            }
        }
    }

    private List<Integer> weights() {
        var routes = dataplane.state().routes();
        if (routes.isEmpty()) return List.of();
        return routes.getFirst().rules().getFirst().backends().stream()
                .map(WeightedBackend::weight)
                .toList();
    }

    private String routes() {
        return "routes: " + dataplane.state().routes() + "; health: " + feed.health();
    }

    private Optional<Service> service(String key) {
        return dataplane.state().services().stream()
                .filter(s -> s.key().equals(key))
                .findFirst();
    }

    /** nodemesh's entries in the route's {@code status.parents}. */
    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> parents(ResourceDefinitionContext ctx, String name) {
        var r = cluster.get(ctx, "shop", name);
        if (r == null || !(r.getAdditionalProperties().get("status") instanceof Map<?, ?> status)) return List.of();
        if (!(status.get("parents") instanceof List<?> parents)) return List.of();
        return parents.stream()
                .map(p -> (Map<String, Object>) p)
                .filter(p -> "nodemesh.io/mesh".equals(p.get("controllerName")))
                .toList();
    }

    /** The Accepted condition nodemesh wrote for the route's first Service parent, or null. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> parentCondition(ResourceDefinitionContext ctx, String name) {
        var parents = parents(ctx, name);
        if (parents.isEmpty()) return null;
        return ((List<Map<String, Object>>) parents.getFirst().get("conditions"))
                .stream()
                        .filter(c -> "Accepted".equals(c.get("type")))
                        .findFirst()
                        .orElse(null);
    }

    private static ResourceDefinitionContext ctx(String kind, String plural) {
        return new ResourceDefinitionContext.Builder()
                .withGroup("gateway.networking.k8s.io")
                .withVersion("v1")
                .withKind(kind)
                .withPlural(plural)
                .withNamespaced(true)
                .build();
    }
}
