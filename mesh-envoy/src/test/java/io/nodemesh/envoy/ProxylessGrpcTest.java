package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.RetryPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * grpc-java's own xDS client (proxyless gRPC) resolves {@code xds:///echo.shop} against the nodemesh ADS server and
 * sends real RPCs to real gRPC servers on loopback: what the translation says is what traffic does.
 */
class ProxylessGrpcTest {
    private final List<AutoCloseable> closeables = new ArrayList<>();
    private EnvoyDataplane dp;
    private int port;
    private final Map<String, Echo.Backend> backends = new LinkedHashMap<>();

    @BeforeEach
    void start() {
        dp = new EnvoyDataplane(
                DataplaneOptions.forNode("").with("envoy.xdsPort", "0").with("envoy.xdsSecurity", "plaintext"));
        // The first backend picks a free port; the others share it on their own loopback addresses.
        Echo.Backend first = new Echo.Backend("v1", "127.0.0.2", 0);
        port = first.port();
        backends.put("v1", first);
        backends.put("v2", new Echo.Backend("v2", "127.0.0.3", port));
        backends.put("v1b", new Echo.Backend("v1b", "127.0.0.4", port));
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables.reversed()) c.close();
        backends.values().forEach(Echo.Backend::close);
        dp.close();
    }

    private MeshState state(List<HttpRoute> routes, EndpointState v1bState) {
        var b = MeshState.builder()
                .node(nodeA())
                .workload(workload("v1", "127.0.0.2"))
                .workload(workload("v2", "127.0.0.3"))
                .workload(workload("v1b", "127.0.0.4"))
                .service(l7(
                        "echo-v1",
                        "10.96.0.11",
                        port,
                        List.of(
                                Endpoint.ready("127.0.0.2", "shop/v1"),
                                new Endpoint("127.0.0.4", "shop/v1b", v1bState))))
                .service(l7("echo-v2", "10.96.0.12", port, List.of(Endpoint.ready("127.0.0.3", "shop/v2"))))
                .service(l7("echo", "10.96.0.10", port, List.of(Endpoint.ready("127.0.0.2", "shop/v1"))));
        routes.forEach(b::route);
        return b.build();
    }

    private ManagedChannel channel() {
        ManagedChannel ch = GrpcXds.channel("echo.shop", "node-a~test", dp.xdsPort());
        closeables.add(() -> GrpcXds.shutdown(List.of(ch)));
        return ch;
    }

    private static Map<String, Integer> tally(ManagedChannel ch, int calls) {
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < calls; i++) seen.merge(Echo.call(ch, Echo.WHO, "x"), 1, Integer::sum);
        return seen;
    }

    @Test
    void weightedSplitLandsWithinStatisticalTolerance() {
        dp.apply(state(
                List.of(split("shop/echo", port, Map.of("echo-v1", 80, "echo-v2", 20))), EndpointState.NOT_READY));
        ManagedChannel ch = channel();
        Eventually.until("both versions answer", () -> tally(ch, 50).size() == 2);

        int n = 2000;
        Map<String, Integer> seen = tally(ch, n);
        double v1 = seen.getOrDefault("v1", 0) / (double) n;
        // Binomial with p = 0.8, n = 2000: sd ≈ 0.009; ±0.045 is five sd, so this fails only when the split is wrong.
        assertThat(v1).as("share of v1 in %s", seen).isBetween(0.755, 0.845);
        assertThat(seen.keySet()).containsOnly("v1", "v2");
    }

    @Test
    void routeChangeTakesEffectWithoutRestart() {
        dp.apply(state(List.of(split("shop/echo", port, Map.of("echo-v1", 1))), EndpointState.NOT_READY));
        ManagedChannel ch = channel();
        Eventually.until("v1 answers", () -> Echo.call(ch, Echo.WHO, "x").equals("v1"));
        assertThat(tally(ch, 100)).containsOnlyKeys("v1");

        dp.apply(state(List.of(split("shop/echo", port, Map.of("echo-v2", 1))), EndpointState.NOT_READY));
        Eventually.until(
                "v2 answers on the same channel",
                () -> Echo.call(ch, Echo.WHO, "x").equals("v2"));
        assertThat(tally(ch, 100)).containsOnlyKeys("v2");
    }

    @Test
    void terminatingEndpointDrainsInFlightCallsAndGetsNoNewOnes() throws Exception {
        dp.apply(state(List.of(split("shop/echo", port, Map.of("echo-v1", 1))), EndpointState.READY));
        ManagedChannel ch = channel();
        Eventually.until("both v1 backends answer", () -> tally(ch, 20).keySet().equals(java.util.Set.of("v1", "v1b")));

        // Park calls on both backends, then drain v1b while they are in flight.
        List<com.google.common.util.concurrent.ListenableFuture<String>> inFlight = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            inFlight.add(ClientCalls.futureUnaryCall(
                    ch.newCall(Echo.HOLD, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)),
                    "held-" + i));
        }
        Eventually.until("v1b holds a call", () -> !backends.get("v1b").held.isEmpty());
        dp.apply(state(List.of(split("shop/echo", port, Map.of("echo-v1", 1))), EndpointState.TERMINATING));
        Eventually.until(
                "new calls avoid the draining backend",
                () -> tally(ch, 20).keySet().equals(java.util.Set.of("v1")));
        int before = backends.get("v1b").calls.get();
        assertThat(tally(ch, 100)).containsOnlyKeys("v1");
        assertThat(backends.get("v1b").calls.get()).isEqualTo(before);

        backends.values().forEach(b -> b.release.countDown());
        List<String> answers = new ArrayList<>();
        for (var f : inFlight) answers.add(f.get(30, TimeUnit.SECONDS));
        assertThat(answers)
                .as("calls in flight on the draining backend complete")
                .contains("v1b");
    }

    @Test
    void retriesApplyFromTheRoute() {
        var retry = new RetryPolicy(2, Duration.ZERO, List.of("unavailable"));
        HttpRoute withRetry = new HttpRoute(
                "shop",
                "retry",
                "shop/echo",
                List.of(rule(PathMatch.prefix("/"), "shop/echo-v2", Duration.ZERO, retry)));
        dp.apply(state(List.of(withRetry), EndpointState.NOT_READY));
        ManagedChannel ch = channel();
        Eventually.until("v2 answers", () -> Echo.call(ch, Echo.WHO, "x").equals("v2"));

        Echo.Backend v2 = backends.get("v2");
        int attemptsBefore = v2.flakyCalls.get();
        for (int i = 0; i < 20; i++) assertThat(Echo.call(ch, Echo.FLAKY, "x")).isEqualTo("v2");
        assertThat(v2.flakyCalls.get() - attemptsBefore)
                .as("every call failed once and was retried once")
                .isEqualTo(40);

        // Without the retry policy the same backend's failures reach the caller.
        HttpRoute noRetry = new HttpRoute(
                "shop",
                "retry",
                "shop/echo",
                List.of(rule(PathMatch.prefix("/"), "shop/echo-v2", Duration.ZERO, RetryPolicy.NONE)));
        dp.apply(state(List.of(noRetry), EndpointState.NOT_READY));
        Eventually.until("a flaky failure reaches the caller", () -> {
            try {
                Echo.call(ch, Echo.FLAKY, "x");
                return false;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode() == Status.Code.UNAVAILABLE;
            }
        });
    }

    @Test
    void routeTimeoutBecomesMaxStreamDuration() {
        HttpRoute slow = new HttpRoute(
                "shop",
                "slow",
                "shop/echo",
                List.of(
                        rule(
                                PathMatch.exact("/nodemesh.test.Echo/Hold"),
                                "shop/echo-v2",
                                Duration.ofMillis(300),
                                RetryPolicy.NONE),
                        rule(PathMatch.prefix("/"), "shop/echo-v2", Duration.ZERO, RetryPolicy.NONE)));
        dp.apply(state(List.of(slow), EndpointState.NOT_READY));
        ManagedChannel ch = channel();
        Eventually.until("v2 answers", () -> Echo.call(ch, Echo.WHO, "x").equals("v2"));

        // The caller sets no deadline of its own (only a far one); the route's 300 ms cuts the held call.
        assertThatThrownBy(() -> Echo.call(ch, Echo.HOLD, "never-released"))
                .isInstanceOfSatisfying(
                        StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(Echo.call(ch, Echo.WHO, "x"))
                .as("other paths keep no timeout")
                .isEqualTo("v2");
    }

    @Test
    void pathMatchesPickTheBackend() {
        HttpRoute byPath = new HttpRoute(
                "shop",
                "bypath",
                "shop/echo",
                List.of(
                        rule(
                                PathMatch.exact("/nodemesh.test.Echo/Who"),
                                "shop/echo-v2",
                                Duration.ZERO,
                                RetryPolicy.NONE),
                        rule(
                                new PathMatch(PathMatch.Kind.REGEX, "/nodemesh\\.test\\.Echo/F.*"),
                                "shop/echo-v1",
                                Duration.ZERO,
                                RetryPolicy.NONE)));
        dp.apply(state(List.of(byPath), EndpointState.NOT_READY));
        ManagedChannel ch = channel();
        Eventually.until("v2 answers Who", () -> Echo.call(ch, Echo.WHO, "x").equals("v2"));
        // Flaky fails every other call; two calls on v1 give one success naming v1.
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try {
                answers.add(Echo.call(ch, Echo.FLAKY, "x"));
            } catch (StatusRuntimeException e) {
                answers.add(e.getStatus().getCode().name());
            }
        }
        assertThat(answers).contains("v1");
        // Hold matches no rule: the route has no catch-all, so the call is refused (gRPC maps Envoy's 404 to
        // UNAVAILABLE).
        assertThatThrownBy(() -> Echo.call(ch, Echo.HOLD, "x")).isInstanceOf(StatusRuntimeException.class);
    }
}
