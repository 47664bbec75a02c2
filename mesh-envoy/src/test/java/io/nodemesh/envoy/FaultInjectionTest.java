package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.RetryPolicy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Route faults ({@link HttpFault}) acted on by grpc-java's own xDS client (gRFC A33) resolving {@code xds:///echo.shop}
 * against the nodemesh ADS server, with a real gRPC backend on loopback.
 */
class FaultInjectionTest {
    private EnvoyDataplane dp;
    private Echo.Backend v2;
    private ManagedChannel ch;

    @BeforeEach
    void start() {
        dp = new EnvoyDataplane(
                DataplaneOptions.forNode("").with("envoy.xdsPort", "0").with("envoy.xdsSecurity", "plaintext"));
        v2 = new Echo.Backend("v2", "127.0.0.3", 0);
    }

    @AfterEach
    void stop() throws Exception {
        GrpcXds.shutdown(java.util.Collections.singletonList(ch));
        v2.close();
        dp.close();
    }

    /** Every call to echo goes to v2; calls to Who get {@code fault}. */
    private MeshState state(HttpFault fault) {
        int port = v2.port();
        HttpRoute route = new HttpRoute(
                "shop",
                "faulty",
                "shop/echo",
                List.of(
                        rule(
                                        PathMatch.exact("/nodemesh.test.Echo/Who"),
                                        "shop/echo-v2",
                                        Duration.ZERO,
                                        RetryPolicy.NONE)
                                .withFault(fault),
                        rule(PathMatch.prefix("/"), "shop/echo-v2", Duration.ZERO, RetryPolicy.NONE)));
        return MeshState.builder()
                .node(nodeA())
                .workload(workload("v2", "127.0.0.3"))
                .service(l7("echo-v2", "10.96.0.12", port, List.of(Endpoint.ready("127.0.0.3", "shop/v2"))))
                .service(l7("echo", "10.96.0.10", port, List.of(Endpoint.ready("127.0.0.3", "shop/v2"))))
                .route(route)
                .build();
    }

    private ManagedChannel channel() {
        ch = GrpcXds.channel("echo.shop", "node-a~test", dp.xdsPort());
        return ch;
    }

    /** The answer, or the status code's name when the call failed. */
    private static String outcome(ManagedChannel ch, long deadlineMillis) {
        try {
            return ClientCalls.blockingUnaryCall(
                    ch, Echo.WHO, CallOptions.DEFAULT.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS), "x");
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode().name();
        }
    }

    @Test
    void abortAllAnswersWithTheMappedStatusAndNeverReachesTheBackend() {
        dp.apply(state(HttpFault.NONE));
        channel();
        Eventually.until("v2 answers without a fault", () -> outcome(ch, 10_000).equals("v2"));

        // 403 maps to PERMISSION_DENIED (gRPC's HTTP-to-status table), which nothing else in this setup produces.
        dp.apply(state(HttpFault.abort(403, 100)));
        Eventually.until(
                "the abort takes effect on the same channel",
                () -> outcome(ch, 10_000).equals(Status.Code.PERMISSION_DENIED.name()));
        int before = v2.calls.get();
        for (int i = 0; i < 50; i++) assertThat(outcome(ch, 10_000)).isEqualTo(Status.Code.PERMISSION_DENIED.name());
        assertThat(v2.calls.get()).as("aborted calls never reach the backend").isEqualTo(before);
        // Other paths of the route carry no fault.
        // Other paths of the route carry no fault: of two Flaky calls (the backend fails every other one) one is
        // served.
        List<String> flaky = new java.util.ArrayList<>();
        for (int i = 0; i < 2; i++) {
            try {
                flaky.add(Echo.call(ch, Echo.FLAKY, "x"));
            } catch (StatusRuntimeException e) {
                flaky.add(e.getStatus().getCode().name());
            }
        }
        assertThat(flaky).contains("v2").doesNotContain(Status.Code.PERMISSION_DENIED.name());
    }

    @Test
    void abortHalfLandsWithinStatisticalTolerance() {
        dp.apply(state(HttpFault.abort(503, 50)));
        channel();
        Eventually.until("both outcomes occur", () -> {
            var seen = new java.util.HashSet<String>();
            for (int i = 0; i < 40; i++) seen.add(outcome(ch, 10_000));
            return seen.equals(java.util.Set.of("v2", Status.Code.UNAVAILABLE.name()));
        });
        int n = 1000;
        int aborted = 0;
        int before = v2.calls.get();
        for (int i = 0; i < n; i++) {
            String o = outcome(ch, 10_000);
            assertThat(o).isIn("v2", Status.Code.UNAVAILABLE.name());
            if (!o.equals("v2")) aborted++;
        }
        // Binomial with p = 0.5, n = 1000: sd ≈ 0.016; ±0.08 is five sd, so this fails only when the share is wrong.
        assertThat(aborted / (double) n).isBetween(0.42, 0.58);
        assertThat(v2.calls.get() - before)
                .as("exactly the calls not aborted reached the backend")
                .isEqualTo(n - aborted);
    }

    @Test
    void aDelayMakesACallExceedAShortDeadline() {
        dp.apply(state(HttpFault.NONE));
        channel();
        Eventually.until(
                "v2 answers within the short deadline without a fault",
                () -> outcome(ch, 1_000).equals("v2"));

        dp.apply(state(HttpFault.delay(Duration.ofSeconds(3), 100)));
        Eventually.until(
                "the delay takes effect", () -> outcome(ch, 1_000).equals(Status.Code.DEADLINE_EXCEEDED.name()));
        int before = v2.calls.get();
        for (int i = 0; i < 3; i++) assertThat(outcome(ch, 1_000)).isEqualTo(Status.Code.DEADLINE_EXCEEDED.name());
        assertThat(v2.calls.get())
                .as("calls whose deadline ran out during the delay were never forwarded")
                .isEqualTo(before);
        // A caller that waits longer than the delay is served.
        assertThat(outcome(ch, 20_000)).isEqualTo("v2");
    }
}
