package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.stub.ServerCalls;
import io.grpc.xds.XdsChannelCredentials;
import io.grpc.xds.XdsNameResolverProvider;
import io.grpc.xds.XdsServerBuilder;
import io.grpc.xds.XdsServerCredentials;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Workload;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One mesh CA for two nodes: two dataplanes ("node A" and "node B", each serving only its own node) opened with the
 * same {@code envoy.caDir}. A proxyless gRPC client on node A (credentials from A) calls an xDS-enabled server on node B
 * (credentials from B) over mTLS, which only works because both chain to the same root — and keeps working when A's
 * dataplane is closed and opened again, since the restart loads the root instead of making a new one. Both processes
 * fetch their configuration over mTLS xDS (the default), authenticated by the node certificates each dataplane writes
 * to {@code <credentialsDir>/xds+<node>}.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class SharedMeshCaTest {
    private static final String SERVER_IP = "127.0.0.5";
    private static final String CLIENT = "spiffe://" + TD + "/ns/shop/sa/client-a";
    private static final AtomicInteger SCHEMES = new AtomicInteger();
    private static final MethodDescriptor<String, String> HELLO = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("nodemesh.test.Ca/Hello")
            .setRequestMarshaller(Echo.STRING)
            .setResponseMarshaller(Echo.STRING)
            .build();

    @TempDir
    Path tmp;

    private final List<EnvoyDataplane> dataplanes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private Server server;
    private final int port = GrpcXds.freePort(SERVER_IP);

    @AfterEach
    void stop() throws Exception {
        GrpcXds.shutdown(channels);
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        for (EnvoyDataplane dp : dataplanes) dp.close();
    }

    private EnvoyDataplane open(String node, Path caDir, int xdsPort) {
        EnvoyDataplane dp = new EnvoyDataplane(new DataplaneOptions(
                node,
                Map.of(
                        "envoy.caDir", caDir.toString(),
                        "envoy.credentialsDir", credentials(node).toString(),
                        "envoy.xdsPort", Integer.toString(xdsPort))));
        dataplanes.add(dp);
        dp.apply(state());
        return dp;
    }

    private Path credentials(String node) {
        return tmp.resolve("credentials-" + node);
    }

    private MeshState state() {
        Workload server = workload("secure", SERVER_IP);
        return MeshState.builder()
                .node(nodeA())
                .node(new Node(
                        "node-b", List.of("127.0.0.2"), List.of(), "")) // loopback pods: no pod CIDR to hold them
                .workload(new Workload(
                        server.namespace(),
                        server.name(),
                        "node-b",
                        server.ips(),
                        server.identity(),
                        server.labels(),
                        null))
                .workload(workload("client-a", "127.0.0.11"))
                .service(l7("secure", "10.96.0.20", port, List.of(Endpoint.ready(SERVER_IP, "shop/secure"))))
                .encryption(new EncryptionSpec(EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.STRICT, TD))
                .build();
    }

    /**
     * A proxyless process's bootstrap: xDS over mTLS with the node's xDS client credentials (A65 {@code "tls"} channel
     * creds, read by mesh-xds-client's provider), and its workload's files for the data plane.
     */
    private Map<String, ?> bootstrap(String nodeId, String zone, int xdsPort, Path files) {
        Path xds = Bootstraps.xdsClientCredentialsDir(credentials(zone), zone);
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> map = (Map<String, ?>) JsonParser.parse(Bootstraps.grpcJson(
                    new Bootstraps.GrpcSpec(nodeId, zone, "127.0.0.1", xdsPort, xds, files, Duration.ofSeconds(1))));
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The xDS-enabled server of {@code secure} on node B, with node B's credentials for it. */
    private void startServer(EnvoyDataplane b) {
        ServerServiceDefinition hello = ServerServiceDefinition.builder("nodemesh.test.Ca")
                .addMethod(HELLO, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext("hello " + req);
                    out.onCompleted();
                }))
                .build();
        Path files = Bootstraps.workloadCredentialsDir(credentials("node-b"), "spiffe://" + TD + "/ns/shop/sa/secure");
        var started = new CompletableFuture<Server>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                started.complete(XdsServerBuilder.forAddress(
                                new InetSocketAddress(SERVER_IP, port),
                                XdsServerCredentials.create(InsecureServerCredentials.create()))
                        .overrideBootstrapForTest(bootstrap("node-b~secure", "node-b", b.xdsPort(), files))
                        .addService(hello)
                        .build()
                        .start());
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        try {
            server = started.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("xDS gRPC server on node B did not start; NACKs: " + b.nacks(), e);
        }
    }

    /** A proxyless client of {@code secure.shop} on node A, with node A's credentials for client-a. */
    @SuppressWarnings("deprecation") // nameResolverFactory: the documented way to use a test provider per channel
    private ManagedChannel client(EnvoyDataplane a) {
        String scheme = "nmca" + SCHEMES.incrementAndGet();
        Path files = Bootstraps.workloadCredentialsDir(credentials("node-a"), CLIENT);
        ManagedChannel ch = Grpc.newChannelBuilder(
                        scheme + ":///secure.shop", XdsChannelCredentials.create(InsecureChannelCredentials.create()))
                .nameResolverFactory(XdsNameResolverProvider.createForTest(
                        scheme, bootstrap("node-a~client-a", "node-a", a.xdsPort(), files)))
                .build();
        channels.add(ch);
        return ch;
    }

    private static Status.Code call(ManagedChannel ch) {
        try {
            String reply = io.grpc.stub.ClientCalls.blockingUnaryCall(
                    ch, HELLO, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "a");
            assertThat(reply).isEqualTo("hello a");
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void aClientOfNodeAReachesAServerOfNodeBOverMtlsAcrossARestartOfA() throws Exception {
        Path ca = tmp.resolve("ca");
        EnvoyDataplane a = open("node-a", ca, 0);
        EnvoyDataplane b = open("node-b", ca, 0);
        assertThat(a.trustBundlePem()).isEqualTo(b.trustBundlePem());
        startServer(b);

        ManagedChannel before = client(a);
        assertThat(call(before)).isEqualTo(Status.Code.OK);

        String rootBefore = Files.readString(ca.resolve("ca.pem"));
        int xdsPort = a.xdsPort();
        a.close();
        dataplanes.remove(a);
        EnvoyDataplane restarted = open("node-a", ca, xdsPort);
        assertThat(Files.readString(ca.resolve("ca.pem"))).isEqualTo(rootBefore);
        assertThat(restarted.trustBundlePem()).isEqualTo(b.trustBundlePem());

        // A new client gets the certificate the restarted dataplane issued; the one from before reconnects to it, its
        // xDS stream over a new mTLS handshake with the node certificate the restart re-issued.
        assertThat(call(client(restarted))).isEqualTo(Status.Code.OK);
        Eventually.until("the client from before the restart still gets through", () -> call(before) == Status.Code.OK);
        assertThat(a.nacks()).isEmpty();
        assertThat(restarted.nacks()).isEmpty();
        assertThat(b.nacks()).isEmpty();
        assertThat(restarted.xdsDenials() + b.xdsDenials()).isZero();
    }

    @Test
    void nodesWithDifferentRootsDoNotTrustEachOther() {
        EnvoyDataplane a = open("node-a", tmp.resolve("ca-a"), 0);
        EnvoyDataplane b = open("node-b", tmp.resolve("ca-b"), 0);
        startServer(b);
        assertThat(call(client(a))).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void aStagedRotationKeepsNodesTalkingWhileTheyReloadOneAfterTheOther() throws Exception {
        Path ca = tmp.resolve("ca");
        EnvoyDataplane a = open("node-a", ca, 0);
        EnvoyDataplane b = open("node-b", ca, 0);
        startServer(b);
        assertThat(call(client(a))).isEqualTo(Status.Code.OK);
        var clock =
                java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofSeconds(2)); // a root name of its own

        // 1. The next root is staged: every node trusts it, the current one still signs.
        io.nodemesh.envoy.internal.ca.MeshRootFiles.stage(ca, TD, clock);
        assertThat(a.reloadCa()).isTrue();
        assertThat(b.reloadCa()).isTrue();
        assertThat(call(client(a))).isEqualTo(Status.Code.OK);

        // 2. Promoted: node A signs with the new root first; node B, not reloaded yet, still presents an old-root leaf.
        var promoted = io.nodemesh.envoy.internal.ca.MeshRootFiles.promote(ca, clock);
        assertThat(a.reloadCa()).isTrue();
        X509Certificate aLeaf = leafIn(Bootstraps.workloadCredentialsDir(credentials("node-a"), CLIENT));
        aLeaf.verify(promoted.signing().certificate().getPublicKey());
        Eventually.until("A's new-root client reaches B's old-root server", () -> call(client(a)) == Status.Code.OK);
        assertThat(b.reloadCa()).isTrue();
        Eventually.until("both sides on the new root still talk", () -> call(client(a)) == Status.Code.OK);

        // 3. Overlap over.
        Files.delete(ca.resolve(io.nodemesh.envoy.internal.ca.MeshRootFiles.TRUSTED));
        assertThat(a.reloadCa()).isTrue();
        assertThat(b.reloadCa()).isTrue();
        Eventually.until("the new root alone serves", () -> call(client(a)) == Status.Code.OK);
        assertThat(a.nacks()).isEmpty();
        assertThat(b.nacks()).isEmpty();
    }

    @Test
    void aClientFromBeforeARootRotationReconnectsToTheRestartedNodeWithItsReloadedXdsCertificate() throws Exception {
        Path ca = tmp.resolve("ca");
        EnvoyDataplane a = open("node-a", ca, 0);
        EnvoyDataplane b = open("node-b", ca, 0);
        startServer(b);
        ManagedChannel before = client(a);
        assertThat(call(before)).isEqualTo(Status.Code.OK);

        // A full rotation: staged, promoted, overlap ended. A's xDS client files now hold a new-root certificate and
        // the new root alone; what the client read at its start would be refused, and would refuse the new server.
        var clock = java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofSeconds(2));
        io.nodemesh.envoy.internal.ca.MeshRootFiles.stage(ca, TD, clock);
        assertThat(a.reloadCa() && b.reloadCa()).isTrue();
        io.nodemesh.envoy.internal.ca.MeshRootFiles.promote(ca, clock);
        assertThat(a.reloadCa() && b.reloadCa()).isTrue();
        Files.delete(ca.resolve(io.nodemesh.envoy.internal.ca.MeshRootFiles.TRUSTED));
        assertThat(a.reloadCa() && b.reloadCa()).isTrue();

        int xdsPort = a.xdsPort();
        a.close();
        dataplanes.remove(a);
        EnvoyDataplane restarted = open("node-a", ca, xdsPort);
        // Only a client that re-read its files (refresh_interval 1s) gets through the new handshake and ACKs.
        Eventually.until(
                "the client from before the rotation ACKs the restarted node's listeners",
                () -> restarted.health().getFirst().clients().stream().anyMatch(c -> c.upToDate()));
        assertThat(restarted.xdsDenials()).isZero();
        Eventually.until("and still reaches node B", () -> call(before) == Status.Code.OK);
    }

    @Test
    void aCaKeyOthersCanReadFailsTheOpenWithOneLineNamingTheFile() throws Exception {
        Path ca = tmp.resolve("ca");
        open("node-a", ca, 0);
        Path key = ca.resolve("ca-key.pem");
        Files.setPosixFilePermissions(key, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> open("node-b", ca, 0))
                .isInstanceOf(io.nodemesh.api.InvalidOptionsException.class)
                .hasMessage("invalid dataplane options: envoy.caDir: " + key
                        + " has mode rw-r-----; a CA key must be readable by its owner only (chmod 600 " + key + ")");
    }

    private static X509Certificate leafIn(Path dir) throws Exception {
        return (X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                .generateCertificate(
                        new java.io.ByteArrayInputStream(Files.readAllBytes(dir.resolve(Bootstraps.CERT_FILE))));
    }
}
