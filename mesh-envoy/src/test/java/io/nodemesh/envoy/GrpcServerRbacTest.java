package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.xds.XdsServerBuilder;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * L7 policy acting on real requests: an xDS-enabled gRPC server (grpc-java's {@code XdsServerBuilder}) fetches the
 * server listener nodemesh made for its address and enforces the RBAC translated from {@link Policy}.
 * The test client connects from 127.0.0.1, the node's own address, so its identity is {@code host}.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class GrpcServerRbacTest {
    private static final String SERVER_IP = "127.0.0.5";
    private EnvoyDataplane dp;
    private Echo.Backend server;
    private ManagedChannel ch;
    private int port;

    @BeforeEach
    void start() throws Exception {
        dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.xdsSecurity", "plaintext"));
        port = GrpcXds.freePort(SERVER_IP);
    }

    @AfterEach
    void stop() throws Exception {
        GrpcXds.shutdown(java.util.Collections.singletonList(ch));
        if (server != null) server.close();
        dp.close();
    }

    private MeshState state(Policy... policies) {
        var b = MeshState.builder()
                .node(nodeA())
                .workload(workload("secure", SERVER_IP))
                .workload(workload("other", "127.0.0.9"))
                .service(l7("secure", "10.96.0.20", port, List.of(Endpoint.ready(SERVER_IP, "shop/secure"))));
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    private static Policy allowFrom(String source) {
        return new Policy(
                "shop",
                "allow",
                PolicyAction.ALLOW,
                List.of(source),
                List.of(),
                List.of("shop/secure"),
                List.of(),
                List.of());
    }

    private void startServer(MeshState initial) {
        dp.apply(initial);
        // XdsServerWrapper.start() blocks until its listener arrives; start it aside so a bad listener fails the test
        // (with the NACK) instead of hanging it.
        var started = new java.util.concurrent.CompletableFuture<Echo.Backend>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                started.complete(new Echo.Backend(
                        "secure",
                        XdsServerBuilder.forAddress(
                                        new InetSocketAddress(SERVER_IP, port), InsecureServerCredentials.create())
                                .overrideBootstrapForTest(GrpcXds.bootstrap("node-a~secure", dp.xdsPort()))));
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        try {
            server = started.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("xDS gRPC server did not start; NACKs: " + dp.nacks(), e);
        }
        ch = Grpc.newChannelBuilder(SERVER_IP + ":" + port, InsecureChannelCredentials.create())
                .build();
    }

    private Status.Code code(io.grpc.MethodDescriptor<String, String> method) {
        try {
            Echo.call(ch, method, "x");
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void allowPolicyForAnotherIdentityMakesTheServiceDefaultDeny() {
        startServer(state(allowFrom("spiffe://cluster.local/ns/shop/sa/other")));
        Eventually.until("the server refuses the host", () -> code(Echo.WHO) == Status.Code.PERMISSION_DENIED);

        dp.apply(state(allowFrom(Identities.HOST)));
        Eventually.until("the host is let in once policy allows it", () -> code(Echo.WHO) == Status.Code.OK);
        assertThat(Echo.call(ch, Echo.WHO, "x")).isEqualTo("secure");
    }

    @Test
    void denyPolicyWithHttpMatchRefusesOnlyThatPath() {
        Policy denyFlaky = new Policy(
                "shop",
                "deny-flaky",
                PolicyAction.DENY,
                List.of(),
                List.of(),
                List.of("shop/secure"),
                List.of(),
                List.of(HttpMatch.path(PathMatch.prefix("/nodemesh.test.Echo/Fla"))));
        startServer(state());
        Eventually.until("the server serves", () -> code(Echo.WHO) == Status.Code.OK);

        dp.apply(state(denyFlaky));
        Eventually.until("Flaky is denied", () -> code(Echo.FLAKY) == Status.Code.PERMISSION_DENIED);
        assertThat(code(Echo.WHO)).isEqualTo(Status.Code.OK);
        assertThat(code(Echo.FLAKY)).isEqualTo(Status.Code.PERMISSION_DENIED);
    }
}
