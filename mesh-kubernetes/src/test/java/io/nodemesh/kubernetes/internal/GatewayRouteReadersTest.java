package io.nodemesh.kubernetes.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRuleBuilder;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReferenceBuilder;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Violation;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Gateway API readers alone, on what the feed tests do not reach: each refusal's field, and the edge mappings. */
class GatewayRouteReadersTest {
    private static HTTPRoute http(
            List<io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference> parents, HTTPRouteRule... rules) {
        return new HTTPRouteBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("r")
                .endMetadata()
                .withNewSpec()
                .withParentRefs(parents)
                .withRules(rules)
                .endSpec()
                .build();
    }

    private static io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference service(String name) {
        return new ParentReferenceBuilder()
                .withGroup("")
                .withKind("Service")
                .withName(name)
                .build();
    }

    private static HTTPRouteRuleBuilder toApi() {
        return new HTTPRouteRuleBuilder()
                .addNewBackendRef()
                .withName("api")
                .withPort(80)
                .endBackendRef();
    }

    private static List<String> paths(GatewayRead read) {
        return read.violations().stream().map(Violation::path).toList();
    }

    @Test
    void consumerRoutesAndPortParentsAreRefusedByField() {
        var other = new ParentReferenceBuilder()
                .withGroup("")
                .withKind("Service")
                .withName("api")
                .withNamespace("billing")
                .build();
        var port = new ParentReferenceBuilder()
                .withGroup("core")
                .withKind("Service")
                .withName("api")
                .withPort(80)
                .build();
        GatewayRead read = GatewayHttpRouteReader.read(http(List.of(other, port), toApi().build()));
        assertThat(paths(read)).containsExactly("spec.parentRefs[0].namespace", "spec.parentRefs[1].port");
        assertThat(read.violations().getFirst().reason()).contains("another namespace (billing)");
    }

    @Test
    void unsupportedMatchesAndFiltersAreRefusedByField() {
        HTTPRouteRule rule = toApi().addNewMatch()
                .addNewHeader()
                .withName("x-a")
                .withType("RegularExpression")
                .withValue("a.*")
                .endHeader()
                .endMatch()
                .addNewFilter()
                .withType("RequestMirror")
                .endFilter()
                .addNewFilter()
                .withType("RequestRedirect")
                .withNewRequestRedirect()
                .withNewPath()
                .withType("ReplacePrefixMatch")
                .withReplacePrefixMatch("/x")
                .endPath()
                .endRequestRedirect()
                .endFilter()
                .withNewTimeouts()
                .withRequest("1s")
                .withBackendRequest("2s")
                .endTimeouts()
                .withNewRetry()
                .withAttempts(2)
                .withCodes(503)
                .endRetry()
                .build();
        GatewayRead read = GatewayHttpRouteReader.read(http(List.of(service("api")), rule));
        assertThat(paths(read))
                .containsExactlyInAnyOrder(
                        "spec.rules[0].filters[0].type",
                        "spec.rules[0].filters[1].requestRedirect.path.type",
                        "spec.rules[0].timeouts.backendRequest",
                        "spec.rules[0].retry.codes",
                        "spec.rules[0].matches[0].headers[0].type");
    }

    @Test
    void retriesTakeTheBackendRequestTimeoutPerTry() {
        HTTPRouteRule rule = toApi().withNewTimeouts()
                .withRequest("10s")
                .withBackendRequest("2s")
                .endTimeouts()
                .withNewRetry()
                .withAttempts(3)
                .endRetry()
                .build();
        GatewayRead read = GatewayHttpRouteReader.read(http(List.of(service("api")), rule));
        assertThat(read.violations()).isEmpty();
        var mapped = read.routes().routes().get("shop/httproute-r").rules().getFirst();
        assertThat(mapped.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(mapped.retries()).isEqualTo(new RetryPolicy(3, Duration.ofSeconds(2), List.of()));
    }

    @Test
    void twoServiceParentsMakeTwoRoutesNamedByService() {
        GatewayRead read = GatewayHttpRouteReader.read(http(List.of(service("api"), service("web")), toApi().build()));
        assertThat(read.routes().routes().values())
                .extracting(HttpRoute::key, HttpRoute::service)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("shop/httproute-r-api", "shop/api"),
                        org.assertj.core.groups.Tuple.tuple("shop/httproute-r-web", "shop/web"));
        assertThat(read.routes().origins().get("shop/httproute-r-web").serviceField())
                .isEqualTo("spec.parentRefs[1]");
    }

    @Test
    void originsPutMeshStatePathsBackOnTheSplitRulesAndMatches() {
        HTTPRouteRule first = toApi().addNewMatch()
                .withNewPath()
                .withType("PathPrefix")
                .withValue("/a")
                .endPath()
                .endMatch()
                .addNewMatch()
                .withNewPath()
                .withType("Exact")
                .withValue("/b")
                .endPath()
                .endMatch()
                .build();
        GatewayRead read = GatewayHttpRouteReader.read(http(List.of(service("api")), first));
        RouteOrigin origin = read.routes().origins().get("shop/httproute-r");
        // The exact match (the rule's second) comes first in the mesh route.
        assertThat(read.routes()
                        .routes()
                        .get("shop/httproute-r")
                        .rules()
                        .getFirst()
                        .matches()
                        .getFirst()
                        .path())
                .isEqualTo(PathMatch.exact("/b"));
        assertThat(origin.path(".rules[0].matches[0].path.value")).isEqualTo("spec.rules[0].matches[1].path.value");
        assertThat(origin.path(".rules[1].backends[0].port")).isEqualTo("spec.rules[0].backendRefs[0].port");
        assertThat(origin.path(".service")).isEqualTo("spec.parentRefs[0]");
    }

    @Test
    void grpcRegularExpressionsAndAnEmptyMethodMatch() {
        GRPCRoute route = new GRPCRouteBuilder()
                .withNewMetadata()
                .withNamespace("shop")
                .withName("g")
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
                .withType("RegularExpression")
                .withService("helloworld\\..+")
                .endMethod()
                .endMatch()
                .addNewMatch()
                .withNewMethod()
                .endMethod()
                .endMatch()
                .addNewBackendRef()
                .withName("greeter")
                .withPort(50051)
                .endBackendRef()
                .endRule()
                .endSpec()
                .build();
        GatewayRead read = GatewayGrpcRouteReader.read(route);
        assertThat(read.violations())
                .containsExactly(new Violation(
                        "spec.rules[0].matches[1].method", "an Exact method match needs a service, a method or both"));

        route.getSpec().getRules().getFirst().getMatches().remove(1);
        read = GatewayGrpcRouteReader.read(route);
        assertThat(read.routes()
                        .routes()
                        .get("shop/grpcroute-g")
                        .rules()
                        .getFirst()
                        .matches()
                        .getFirst()
                        .path())
                .isEqualTo(new PathMatch(PathMatch.Kind.REGEX, "/helloworld\\..+/[^/]+"));
    }

    @Test
    void aNameTooLongForTheMeshIsRefused() {
        HTTPRoute route = http(List.of(service("api")), toApi().build());
        route.getMetadata().setName("r".repeat(60));
        assertThat(paths(GatewayHttpRouteReader.read(route))).containsExactly("metadata.name");
    }
}
