package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mTLS with grpc-java's real xDS client and real xDS-enabled servers: the resources nodemesh serves in mTLS mode name
 * the {@code nodemesh} certificate provider, each process's bootstrap defines it as a {@code file_watcher} over the
 * credential files nodemesh writes for its workload ({@code envoy.credentialsDir}), and both sides use
 * {@code XdsChannelCredentials}/{@code XdsServerCredentials} so that the security comes from xDS alone.
 * <p>
 * Every client connects from 127.0.0.1 while the client workloads' addresses are 127.0.0.11/12, so a policy can only
 * tell them apart by the SPIFFE id in their certificates.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class MtlsGrpcTest {
    private static final String SERVER_IP = "127.0.0.5";
    private static final String SERVER_ID = "spiffe://" + TD + "/ns/shop/sa/secure";
    private static final String CLIENT_A = "spiffe://" + TD + "/ns/shop/sa/client-a";
    private static final String CLIENT_B = "spiffe://" + TD + "/ns/shop/sa/client-b";
    private static final String IMPOSTOR = "spiffe://" + TD + "/ns/shop/sa/impostor";
    private static final AtomicInteger SCHEMES = new AtomicInteger();
    private static final MethodDescriptor<String, String> PEER = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("nodemesh.test.Mtls/Peer")
            .setRequestMarshaller(Echo.STRING)
            .setResponseMarshaller(Echo.STRING)
            .build();
    private static final Context.Key<SSLSession> SESSION = Context.key("ssl-session");

    @TempDir
    Path credentials;

    private MovableClock clock;
    private EnvoyDataplane dp;
    private Server server;
    private final List<ManagedChannel> channels = new ArrayList<>();
    private int port;

    @BeforeEach
    void start() throws Exception {
        // Six minutes in the past, so a rotation (at half of 10 minutes) issues certificates valid on the real clock.
        clock = new MovableClock();
        clock.now = Instant.now().minus(Duration.ofMinutes(6));
        dp = new EnvoyDataplane(
                DataplaneOptions.DEFAULTS
                        .with("envoy.credentialsDir", credentials.toString())
                        .with("envoy.certLifetime", "PT10M")
                        .with("envoy.xdsSecurity", "plaintext"),
                clock);
        port = GrpcXds.freePort(SERVER_IP);
    }

    @AfterEach
    void stop() throws Exception {
        GrpcXds.shutdown(channels);
        if (server != null) {
            server.shutdownNow();
            server.awaitTermination(5, TimeUnit.SECONDS);
        }
        dp.close();
    }

    private MeshState state(Policy... policies) {
        var b = MeshState.builder()
                .node(nodeA())
                .node(new Node("node-b", List.of("10.0.0.2"), List.of("10.1.0.0/24"), ""))
                .workload(workload("secure", SERVER_IP))
                .workload(workload("client-a", "127.0.0.11"))
                .workload(workload("client-b", "127.0.0.12"))
                .workload(workload("impostor", "127.0.0.13"))
                .service(l7("secure", "10.96.0.20", port, List.of(Endpoint.ready(SERVER_IP, "shop/secure"))))
                .encryption(new EncryptionSpec(EncryptionSpec.Mode.MTLS, EncryptionSpec.Enforcement.STRICT, TD));
        for (Policy p : policies) b.policy(p);
        return b.build();
    }

    private Path filesOf(String spiffeId) {
        return Bootstraps.workloadCredentialsDir(credentials, spiffeId);
    }

    private Map<String, ?> bootstrap(String nodeId, String spiffeId) {
        String json = spiffeId == null
                ? Bootstraps.grpcJson(nodeId, "node-a", "127.0.0.1", dp.xdsPort())
                : Bootstraps.grpcJson(
                        nodeId, "node-a", "127.0.0.1", dp.xdsPort(), filesOf(spiffeId), Duration.ofSeconds(1));
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> map = (Map<String, ?>) JsonParser.parse(json);
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An xDS-enabled server at SERVER_IP:port holding the credentials of {@code spiffeId}; answers with its peer. */
    private void startServer(String spiffeId) {
        ServerInterceptor session = new ServerInterceptor() {
            @Override
            public <Q, R> ServerCall.Listener<Q> interceptCall(
                    ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
                SSLSession s = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
                return Contexts.interceptCall(Context.current().withValue(SESSION, s), call, headers, next);
            }
        };
        ServerServiceDefinition peer = ServerServiceDefinition.builder("nodemesh.test.Mtls")
                .addMethod(PEER, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(describePeer(SESSION.get()));
                    out.onCompleted();
                }))
                .build();
        // start() blocks until the listener arrives; start it aside so a NACK fails the test instead of hanging it.
        var started = new CompletableFuture<Server>();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                started.complete(XdsServerBuilder.forAddress(
                                new InetSocketAddress(SERVER_IP, port),
                                XdsServerCredentials.create(InsecureServerCredentials.create()))
                        .overrideBootstrapForTest(bootstrap("node-a~secure", spiffeId))
                        .addService(ServerInterceptors.intercept(peer, session))
                        .build()
                        .start());
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
            }
        });
        try {
            server = started.get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("xDS gRPC server did not start; NACKs: " + dp.nacks(), e);
        }
    }

    /** "plaintext", or the peer certificate's URI SAN and serial number. */
    private static String describePeer(SSLSession s) {
        if (s == null) return "plaintext";
        try {
            X509Certificate c = (X509Certificate) s.getPeerCertificates()[0];
            return uriSan(c) + " " + c.getSerialNumber().toString(16);
        } catch (SSLPeerUnverifiedException e) {
            return "no client certificate";
        }
    }

    private static String uriSan(X509Certificate c) {
        try {
            return c.getSubjectAlternativeNames().stream()
                    .filter(n -> (Integer) n.get(0) == 6)
                    .map(n -> (String) n.get(1))
                    .findFirst()
                    .orElse("none");
        } catch (java.security.cert.CertificateParsingException e) {
            throw new AssertionError(e);
        }
    }

    /** A proxyless client of {@code xds:///secure.shop} on node-a holding the credentials of {@code spiffeId}. */
    @SuppressWarnings("deprecation") // nameResolverFactory: the documented way to use a test provider per channel
    private ManagedChannel client(String nodeId, String spiffeId) {
        String scheme = "nmtls" + SCHEMES.incrementAndGet();
        ManagedChannel ch = Grpc.newChannelBuilder(
                        scheme + ":///secure.shop", XdsChannelCredentials.create(InsecureChannelCredentials.create()))
                .nameResolverFactory(XdsNameResolverProvider.createForTest(scheme, bootstrap(nodeId, spiffeId)))
                .build();
        channels.add(ch);
        return ch;
    }

    private static String peer(ManagedChannel ch) {
        return io.grpc.stub.ClientCalls.blockingUnaryCall(
                ch, PEER, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "x");
    }

    private static Status.Code code(ManagedChannel ch) {
        try {
            peer(ch);
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    private static X509Certificate certificateIn(Path dir) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve(Bootstraps.CERT_FILE))));
    }

    @Test
    void mutualTlsCallCarriesTheClientsSpiffeIdToTheServer() throws Exception {
        dp.apply(state());
        startServer(SERVER_ID);
        ManagedChannel a = client("node-a~client-a", CLIENT_A);

        String seen = peer(a);
        assertThat(seen)
                .isEqualTo(CLIENT_A + " "
                        + certificateIn(filesOf(CLIENT_A)).getSerialNumber().toString(16));
        assertThat(dp.nacks()).isEmpty();
    }

    @Test
    void allowByPrincipalAdmitsTheNamedClientAndRefusesAnotherIdentity() {
        dp.apply(state());
        startServer(SERVER_ID);
        ManagedChannel a = client("node-a~client-a", CLIENT_A);
        ManagedChannel b = client("node-a~client-b", CLIENT_B);
        assertThat(code(b)).isEqualTo(Status.Code.OK); // no policy yet: both get in

        dp.apply(state(new Policy(
                "shop",
                "only-a",
                PolicyAction.ALLOW,
                List.of(CLIENT_A),
                List.of(),
                List.of("shop/secure"),
                List.of(),
                List.of())));
        Eventually.until("client-b is refused by the principal policy", () -> code(b) == Status.Code.PERMISSION_DENIED);
        assertThat(peer(a)).startsWith(CLIENT_A + " ");
        assertThat(code(b)).isEqualTo(Status.Code.PERMISSION_DENIED);
        assertThat(dp.nacks()).isEmpty();
    }

    @Test
    void plaintextClientsAreRefused() {
        dp.apply(state());
        startServer(SERVER_ID);
        assertThat(peer(client("node-a~client-a", CLIENT_A))).startsWith(CLIENT_A + " ");

        // A client that speaks plain text to the server's address gets no connection at all.
        ManagedChannel plain = Grpc.newChannelBuilder(SERVER_IP + ":" + port, InsecureChannelCredentials.create())
                .build();
        channels.add(plain);
        assertThat(code(plain)).isEqualTo(Status.Code.UNAVAILABLE);

        // A proxyless client without the certificate provider cannot use the mTLS cluster: it rejects it (NACK) and
        // never reaches the server. It runs on node-b, so the rollback its NACK causes stays on that node.
        ManagedChannel noProvider = client("node-b~plain", null);
        assertThat(code(noProvider)).isEqualTo(Status.Code.UNAVAILABLE);
        Eventually.until(
                "the cluster is NACKed for the missing provider",
                () -> dp.nacks().stream()
                        .anyMatch(n -> n.node().equals("node-b")
                                && n.errorDetail().contains("'" + Bootstraps.CERTIFICATE_PROVIDER + "'")));
    }

    @Test
    void clientRefusesABackendWithoutTheServicesIdentity() {
        dp.apply(state());
        startServer(IMPOSTOR); // a trusted certificate, but not the identity of secure.shop's backends
        ManagedChannel a = client("node-a~client-a", CLIENT_A);

        StatusRuntimeException e =
                org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> peer(a));
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    }

    @Test
    void rotatedCertificatesReachTheFilesAndTheHandshake() throws Exception {
        dp.apply(state());
        startServer(SERVER_ID);
        X509Certificate first = certificateIn(filesOf(CLIENT_A));
        assertThat(peer(client("node-a~client-a", CLIENT_A)))
                .isEqualTo(CLIENT_A + " " + first.getSerialNumber().toString(16));

        clock.now = clock.now.plus(Duration.ofMinutes(6));
        assertThat(dp.rotateIfDue()).isTrue();
        X509Certificate second = certificateIn(filesOf(CLIENT_A));
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(second.getNotAfter()).isAfter(first.getNotAfter());

        // The file watchers (refresh 1 s) pick the new certificate up; a new connection presents it.
        String expected = CLIENT_A + " " + second.getSerialNumber().toString(16);
        Eventually.until(
                "a new connection presents the rotated certificate",
                () -> peer(client("node-a~client-a", CLIENT_A)).equals(expected));
        assertThat(dp.nacks()).isEmpty();
    }
}
