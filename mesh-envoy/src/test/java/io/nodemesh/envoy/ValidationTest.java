package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Bad input is rejected with the path of what is wrong, and the previous snapshot keeps serving. */
class ValidationTest {
    private EnvoyDataplane dp;

    @BeforeEach
    void open() {
        dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS);
    }

    @AfterEach
    void close() {
        dp.close();
    }

    private static MeshState base(HttpRoute... routes) {
        var b = MeshState.builder()
                .node(nodeA())
                .workload(workload("web", "127.0.0.2"))
                .service(l7("web", "10.96.0.1", 8080, List.of(Endpoint.ready("127.0.0.2", "shop/web"))))
                .service(l7("api", "10.96.0.2", 9090, List.of(Endpoint.ready("127.0.0.2", "shop/web"))));
        for (HttpRoute r : routes) b.route(r);
        return b.build();
    }

    private static HttpRoute route(HttpRouteRule rule) {
        return new HttpRoute("shop", "r", "shop/web", List.of(rule));
    }

    private List<Violation> rejected(MeshState state) {
        var e = org.junit.jupiter.api.Assertions.assertThrows(InvalidStateException.class, () -> dp.apply(state));
        return e.violations();
    }

    @Test
    void routeToMissingServiceIsRejectedWithItsPath() {
        var bad = route(new HttpRouteRule(
                List.of(), List.of(new WeightedBackend("shop/nope", 0, 1)), Duration.ZERO, RetryPolicy.NONE));
        assertThat(rejected(base(bad)))
                .extracting(Violation::path)
                .contains("routes[shop/r].rules[0].backends[0].service");
    }

    @Test
    void weightsThatAddUpToNothingOrOverflowAreRejected() {
        var zero = route(new HttpRouteRule(
                List.of(), List.of(new WeightedBackend("shop/web", 0, 0)), Duration.ZERO, RetryPolicy.NONE));
        assertThat(rejected(base(zero))).extracting(Violation::path).contains("routes[shop/r].rules[0].backends");
        var huge = route(new HttpRouteRule(
                List.of(),
                List.of(
                        new WeightedBackend("shop/web", 0, Integer.MAX_VALUE),
                        new WeightedBackend("shop/web", 0, Integer.MAX_VALUE),
                        new WeightedBackend("shop/web", 0, 2)),
                Duration.ZERO,
                RetryPolicy.NONE));
        assertThat(rejected(base(huge))).anySatisfy(v -> {
            assertThat(v.path()).isEqualTo("routes[shop/r].rules[0].backends");
            assertThat(v.reason()).contains("4294967295");
        });
    }

    @Test
    void regexJavaAcceptsButRe2DoesNotIsRejected() {
        var lookahead = route(new HttpRouteRule(
                List.of(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "/a(?=b)"))),
                List.of(new WeightedBackend("shop/web", 0, 1)),
                Duration.ZERO,
                RetryPolicy.NONE));
        assertThat(rejected(base(lookahead))).anySatisfy(v -> {
            assertThat(v.path()).isEqualTo("routes[shop/r].rules[0].matches[0].path.value");
            assertThat(v.reason()).contains("RE2");
        });
        var invalid = route(new HttpRouteRule(
                List.of(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "/a("))),
                List.of(new WeightedBackend("shop/web", 0, 1)),
                Duration.ZERO,
                RetryPolicy.NONE));
        assertThat(rejected(base(invalid)))
                .extracting(Violation::path)
                .contains("routes[shop/r].rules[0].matches[0].path.value");
        Policy backref = new Policy(
                "shop",
                "p",
                PolicyAction.DENY,
                List.of(),
                List.of(),
                List.of("shop/web"),
                List.of(),
                List.of(HttpMatch.path(new PathMatch(PathMatch.Kind.REGEX, "/(a)\\1"))));
        assertThat(rejected(base().toBuilder().policy(backref).build()))
                .extracting(Violation::path)
                .contains("policies[shop/p].http[0].path.value");
    }

    @Test
    void backendWithoutTheRoutedPortAndUnknownRetryConditionsAreRejected() {
        // shop/api has only port 9090; a route on web's 8080 that names no port would send to api:8080.
        var noPort = route(new HttpRouteRule(
                List.of(),
                List.of(new WeightedBackend("shop/api", 0, 1)),
                Duration.ZERO,
                new RetryPolicy(2, Duration.ZERO, List.of("5xx", "on-tuesdays"))));
        List<Violation> v = rejected(base(noPort));
        assertThat(v)
                .extracting(Violation::path)
                .contains("routes[shop/r].rules[0].backends[0].port", "routes[shop/r].rules[0].retries.retryOn[1]");
    }

    @Test
    void duplicateTranslatedNamesAreCaught() {
        // Same translated listener twice: the check that guards every snapshot before it is served.
        var listener = io.envoyproxy.envoy.config.listener.v3.Listener.newBuilder()
                .setName("dup")
                .build();
        var r = new io.nodemesh.envoy.internal.translate.MeshResources(
                List.of(), List.of(), List.of(listener, listener), List.of(), List.of());
        assertThat(io.nodemesh.envoy.internal.translate.EnvoyValidator.uniqueNames(r))
                .extracting(Violation::path)
                .containsExactly("listeners[dup]");
    }

    @Test
    void aRejectedStateLeavesThePreviousSnapshotServing() {
        MeshState good = base();
        dp.apply(good);
        Map<String, String> served = dp.servedVersions("node-a");
        var bad = route(new HttpRouteRule(
                List.of(), List.of(new WeightedBackend("shop/nope", 0, 1)), Duration.ZERO, RetryPolicy.NONE));
        assertThatThrownBy(() -> dp.apply(base(bad))).isInstanceOf(InvalidStateException.class);
        assertThat(dp.state()).isEqualTo(good);
        assertThat(dp.servedVersions("node-a")).isEqualTo(served);
    }
}
