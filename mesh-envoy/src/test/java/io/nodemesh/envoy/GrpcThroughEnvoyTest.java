package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import io.nodemesh.contract.Privileges;
import io.nodemesh.envoy.supervisor.EnvoySupervisor;
import io.nodemesh.envoy.supervisor.SupervisorConfig;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plain grpc-java client and server, neither knowing of xDS, through a real node Envoy: the client speaks h2c to the
 * service VIP on the outbound listener (no eBPF here, so it dials the listener's port on the VIP, which loopback
 * answers, and the original destination is that address), Envoy forwards over HTTP/2 because the port says
 * {@code appProtocol: grpc}. Without the HTTP/2 upstream options Envoy would send HTTP/1.1 to the gRPC server and the
 * call would fail. Skips like {@link EnvoyBinaryTest} where there is no {@code envoy} binary.
 */
class GrpcThroughEnvoyTest {
    private static final String VIP = "127.0.0.10";
    private static final String BACKEND = "127.0.0.2";

    @TempDir
    Path dir;

    @Test
    void grpcCallThroughTheNodeProxyReachesAPlainGrpcServer() throws Exception {
        if (!Privileges.onPath("envoy")) {
            String reason =
                    "envoy binary not found on PATH (Envoy is not packaged by Debian and cannot be installed on these machines)";
            System.out.println("SKIPPED: " + reason);
            org.junit.jupiter.api.Assumptions.abort(reason);
        }
        int admin = freePort();
        int outbound = freePort();
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("nodemesh.test", HealthCheckResponse.ServingStatus.SERVING);
        Server server = NettyServerBuilder.forAddress(
                        new InetSocketAddress(BACKEND, 0), InsecureServerCredentials.create())
                .addService(health.getHealthService())
                .build()
                .start();
        ManagedChannel channel = null;
        try (var dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS
                .with("envoy.outboundPort", String.valueOf(outbound))
                .with("envoy.xdsSecurity", "plaintext"))) {
            int backendPort = server.getPort();
            // The service port is the outbound listener's port, so that the connection's own destination selects the
            // service's filter chain.
            dp.apply(MeshState.builder()
                    .node(nodeA())
                    .workload(workload("api", BACKEND))
                    .service(Service.builder("shop", "api")
                            .vip(VIP)
                            .tcp(outbound, backendPort, AppProtocol.GRPC)
                            .endpoint(Endpoint.ready(BACKEND, "shop/api"))
                            .layer(ServiceLayer.L7)
                            .build())
                    .build());
            Path bootstrap = dir.resolve("envoy.json");
            Files.writeString(
                    bootstrap,
                    Bootstraps.envoyJson(new Bootstraps.EnvoySpec(
                            "node-a", "nodemesh", "node-a", "127.0.0.1", dp.xdsPort(), admin)));
            try (var supervisor =
                    EnvoySupervisor.forEnvoy(SupervisorConfig.defaults(envoyBinary(), bootstrap), admin)) {
                supervisor.start();
                assertThat(dp.nacks()).isEmpty();
                channel = Grpc.newChannelBuilderForAddress(VIP, outbound, InsecureChannelCredentials.create())
                        .build();
                HealthCheckResponse r = HealthGrpc.newBlockingStub(channel)
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .check(HealthCheckRequest.newBuilder()
                                .setService("nodemesh.test")
                                .build());
                assertThat(r.getStatus()).isEqualTo(HealthCheckResponse.ServingStatus.SERVING);
            }
        } finally {
            if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws java.io.IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Path envoyBinary() {
        return Path.of(
                List.of(System.getenv("PATH").split(":")).stream()
                        .filter(d -> Files.isExecutable(Path.of(d, "envoy")))
                        .findFirst()
                        .orElseThrow(),
                "envoy");
    }
}
