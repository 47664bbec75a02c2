package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.xds.XdsChannelCredentials;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policy on a backend's gRPC server under mTLS when requests come through a node proxy. The node Envoy forwards local
 * pods' requests with its own certificate ({@code spiffe://<td>/nodemesh/node-proxy/<node>}) after its outbound chain
 * judged the pod; the backend's server must then trust it rather than refuse it for not being the pod.
 * <p>
 * No Envoy binary can run here, so the node proxy is played by a proxyless gRPC client holding a real node-proxy
 * certificate from the dataplane's CA: to the server's TLS handshake and RBAC it is exactly what the node Envoy presents.
 * Every client connects from 127.0.0.1, the node's address, so {@code host} matches all of them by address, and only
 * the certificate tells them apart.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class NodeProxyRbacGrpcTest {
    private static final String SERVER_IP = "127.0.0.5";
    private static final String CLIENT_A = "spiffe://" + TD + "/ns/shop/sa/client-a";
    private static final String CLIENT_B = "spiffe://" + TD + "/ns/shop/sa/client-b";
    private static final String NODE_PROXY = "spiffe://" + TD + "/nodemesh/node-proxy/node-a";
    private static final AtomicInteger SCHEMES = new AtomicInteger();

    @TempDir
    Path credentials;

    @TempDir
    Path proxyCredentials;

    private EnvoyDataplane dp;
    private Echo.Backend server;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private int port;

    @BeforeEach
    void start() throws Exception {
        dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS
                .with("envoy.credentialsDir", credentials.toString())
                .with("envoy.xdsSecurity", "plaintext"));
        port = GrpcXds.freePort(SERVER_IP);
    }

    @AfterEach
    void stop() throws Exception {
        GrpcXds.shutdown(channels);
        if (server != null) server.close();
        dp.close();
    }

    private MeshState state(Policy... policies) {
        var b = MeshState.builder()
                .node(nodeA())
                .workload(workload("secure", SERVER_IP))
                .workload(workload("client-a", "127.0.0.11"))
                .workload(workload("client-b", "127.0.0.12"))
                .service(l7("secure", "10.96.0.20", port, List.of(Endpoint.ready(SERVER_IP, "shop/secure"))))
                .encryption(new EncryptionSpec(EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.STRICT, TD));
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    private static Policy policy(PolicyAction action, String source) {
        return new Policy(
                "shop", "p", action, List.of(source), List.of(), List.of("shop/secure"), List.of(), List.of());
    }

    private static Map<String, ?> bootstrap(String nodeId, int xdsPort, Path files) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> map = (Map<String, ?>) JsonParser.parse(
                    Bootstraps.grpcJson(nodeId, "node-a", "127.0.0.1", xdsPort, files, Duration.ofSeconds(1)));
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The backend of secure.shop at SERVER_IP:port, an xDS server holding the credentials of its workload. */
    private void startServer(MeshState initial) {
        dp.apply(initial);
        Path files = Bootstraps.workloadCredentialsDir(credentials, "spiffe://" + TD + "/ns/shop/sa/secure");
        // start() blocks until its listener arrives; start it aside so a NACK fails the test instead of hanging it.
        var started = new CompletableFuture<Echo.Backend>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                started.complete(new Echo.Backend(
                        "secure",
                        XdsServerBuilder.forAddress(
                                        new InetSocketAddress(SERVER_IP, port),
                                        XdsServerCredentials.create(InsecureServerCredentials.create()))
                                .overrideBootstrapForTest(bootstrap("node-a~secure", dp.xdsPort(), files))));
            } catch (RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        try {
            server = started.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("xDS gRPC server did not start; NACKs: " + dp.nacks(), e);
        }
    }

    /** A proxyless client of {@code xds:///secure.shop} on node-a presenting the certificate in {@code files}. */
    @SuppressWarnings("deprecation") // nameResolverFactory: the documented way to use a test provider per channel
    private ManagedChannel client(String nodeId, Path files) {
        String scheme = "nmproxy" + SCHEMES.incrementAndGet();
        ManagedChannel ch = Grpc.newChannelBuilder(
                        scheme + ":///secure.shop", XdsChannelCredentials.create(InsecureChannelCredentials.create()))
                .nameResolverFactory(
                        XdsNameResolverProvider.createForTest(scheme, bootstrap(nodeId, dp.xdsPort(), files)))
                .build();
        channels.add(ch);
        return ch;
    }

    /** What the node Envoy of node-a holds: the node-proxy certificate the CA issued for node-a, as files. */
    private ManagedChannel nodeProxy() throws Exception {
        dp.writeWorkloadCredentials(NODE_PROXY, proxyCredentials);
        X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new ByteArrayInputStream(Files.readAllBytes(proxyCredentials.resolve(Bootstraps.CERT_FILE))));
        assertThat(cert.getSubjectAlternativeNames()).containsExactly(List.of(6, NODE_PROXY)); // the only SAN: its URI
        return client("node-a~node-proxy", proxyCredentials);
    }

    private ManagedChannel workloadClient(String spiffeId) {
        return client(
                "node-a~" + spiffeId.substring(spiffeId.lastIndexOf('/') + 1),
                Bootstraps.workloadCredentialsDir(credentials, spiffeId));
    }

    private static Status.Code code(ManagedChannel ch) {
        try {
            Echo.call(ch, Echo.WHO, "x");
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void allowForOneIdentityStillAdmitsTheNodeProxyButNotAnotherWorkload() throws Exception {
        startServer(state(policy(PolicyAction.ALLOW, CLIENT_A)));
        ManagedChannel proxy = nodeProxy();
        ManagedChannel b = workloadClient(CLIENT_B);

        // The node proxy connects from 127.0.0.1 with its own identity: neither A's address nor A's principal.
        assertThat(code(proxy)).isEqualTo(Status.Code.OK);
        assertThat(code(b)).isEqualTo(Status.Code.PERMISSION_DENIED);
        int served = server.calls.get();
        assertThat(code(b)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(server.calls.get()).isEqualTo(served); // refused before reaching the service
        assertThat(dp.nacks()).isEmpty();
    }

    @Test
    void denyHostSparesTheNodeProxyButDenyAnyRefusesIt() throws Exception {
        startServer(state(policy(PolicyAction.DENY, Identities.HOST)));
        ManagedChannel proxy = nodeProxy();
        ManagedChannel b = workloadClient(CLIENT_B);

        // host = the node's address 127.0.0.1, where every client connects from: the workload is denied by it, the
        // node proxy (whose sources its own chain judged) is not.
        assertThat(code(b)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(code(proxy)).isEqualTo(Status.Code.OK);

        // DENY of every source: the source proxy would have refused, so the backend refuses the proxy as well.
        dp.apply(state(policy(PolicyAction.DENY, Identities.ANY)));
        Eventually.until("DENY * refuses the node proxy", () -> code(proxy) == Status.Code.PERMISSION_DENIED);
        assertThat(code(b)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(dp.nacks()).isEmpty();
    }
}
