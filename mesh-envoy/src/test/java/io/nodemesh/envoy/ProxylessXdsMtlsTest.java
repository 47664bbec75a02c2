package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.internal.JsonParser;
import io.grpc.xds.XdsNameResolverProvider;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proxyless gRPC over mTLS xDS, the default: grpc-java's real xDS client, given its node's certificate by the A65
 * {@code "tls"} channel creds of its bootstrap (mesh-xds-client's provider reads the files the dataplane writes), gets
 * its services; a client without a certificate, or with another node's, gets nothing; a bad channel-creds config
 * fails the channel with the provider's one-line reason.
 */
@org.junit.jupiter.api.Timeout(value = 120, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class ProxylessXdsMtlsTest {
    private static final AtomicInteger SCHEMES = new AtomicInteger();

    @TempDir
    Path tmp;

    private final List<EnvoyDataplane> dataplanes = new ArrayList<>();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private Echo.Backend backend;

    @BeforeEach
    void backend() {
        backend = new Echo.Backend("v1", "127.0.0.2", 0);
    }

    @AfterEach
    void stop() throws Exception {
        GrpcXds.shutdown(channels);
        backend.close();
        for (EnvoyDataplane dp : dataplanes) dp.close();
    }

    /** A dataplane serving {@code node} ("" for a cluster-wide control plane) with the default xDS security. */
    private EnvoyDataplane open(String node) {
        EnvoyDataplane dp = new EnvoyDataplane(new DataplaneOptions(
                node,
                Map.of(
                        "envoy.caDir", tmp.resolve("ca").toString(),
                        "envoy.credentialsDir", tmp.resolve("credentials").toString())));
        dataplanes.add(dp);
        assertThat(dp.options().xdsSecurity()).isEqualTo(XdsSecurity.MTLS);
        dp.apply(MeshState.builder()
                .node(nodeA())
                .node(new Node("node-b", List.of("127.0.1.1"), List.of("127.0.1.0/24"), ""))
                .workload(workload("v1", "127.0.0.2"))
                .service(l7("echo", "10.96.0.10", backend.port(), List.of(Endpoint.ready("127.0.0.2", "shop/v1"))))
                .build());
        return dp;
    }

    /** The bootstrap of a client of node A reaching xDS with {@code channelCreds} (a JSON object). */
    private static Map<String, ?> bootstrap(EnvoyDataplane dp, String channelCreds) throws Exception {
        String json = Bootstraps.grpcJson("node-a~client", "node-a", "127.0.0.1", dp.xdsPort())
                .replace("{\"type\": \"insecure\"}", channelCreds);
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) JsonParser.parse(json);
        return map;
    }

    private static Map<String, ?> withCertificate(EnvoyDataplane dp, Path xdsFiles) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, ?> map = (Map<String, ?>) JsonParser.parse(Bootstraps.grpcJson(new Bootstraps.GrpcSpec(
                "node-a~client", "node-a", "127.0.0.1", dp.xdsPort(), xdsFiles, null, Duration.ofSeconds(1))));
        return map;
    }

    @SuppressWarnings("deprecation") // nameResolverFactory: the documented way to use a test provider per channel
    private Status.Code call(Map<String, ?> bootstrap) {
        String scheme = "nmxdsmtls" + SCHEMES.incrementAndGet();
        ManagedChannel ch = Grpc.newChannelBuilder(scheme + ":///echo.shop", InsecureChannelCredentials.create())
                .nameResolverFactory(XdsNameResolverProvider.createForTest(scheme, bootstrap))
                .build();
        channels.add(ch);
        try {
            assertThat(Echo.call(ch, Echo.WHO, "hi")).isEqualTo("v1");
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void aClientWithItsNodesCertificateGetsItsServices() throws Exception {
        EnvoyDataplane a = open("node-a");
        Path files = Bootstraps.xdsClientCredentialsDir(tmp.resolve("credentials"), "node-a");
        assertThat(Files.getPosixFilePermissions(files.resolve(Bootstraps.KEY_FILE)))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(call(withCertificate(a, files))).isEqualTo(Status.Code.OK);
        assertThat(a.xdsDenials()).isZero();
    }

    @Test
    void aClientWithoutACertificateOrInPlainTextGetsNothing() throws Exception {
        EnvoyDataplane a = open("node-a");
        Path ca = Bootstraps.xdsClientCredentialsDir(tmp.resolve("credentials"), "node-a")
                .resolve(Bootstraps.CA_FILE);
        String rootsOnly = "{\"type\": \"tls\", \"config\": {\"ca_certificate_file\": \"" + ca + "\"}}";
        assertThat(call(bootstrap(a, rootsOnly))).isNotEqualTo(Status.Code.OK);
        assertThat(call(bootstrap(a, "{\"type\": \"insecure\"}"))).isNotEqualTo(Status.Code.OK);
        assertThat(backend.calls.get()).isZero();
    }

    @Test
    void aBadChannelCredsConfigFailsTheChannelNamingTheKeyAndThePath() throws Exception {
        EnvoyDataplane a = open("node-a");
        Path missing = tmp.resolve("nowhere/cert.pem");
        String bad = "{\"type\": \"tls\", \"config\": {\"certificate_file\": \"" + missing
                + "\", \"private_key_file\": \"" + missing + "\"}}";
        String scheme = "nmxdsmtls" + SCHEMES.incrementAndGet();
        @SuppressWarnings("deprecation")
        ManagedChannel ch = Grpc.newChannelBuilder(scheme + ":///echo.shop", InsecureChannelCredentials.create())
                .nameResolverFactory(XdsNameResolverProvider.createForTest(scheme, bootstrap(a, bad)))
                .build();
        channels.add(ch);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Echo.call(ch, Echo.WHO, "hi"))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessage("UNAVAILABLE: Failed to initialize xDS")
                .hasRootCauseMessage("channel_creds \"tls\" config: certificate_file " + missing + ": no such file");
    }

    @Test
    void aClientWithAnotherNodesCertificateGetsNothing() throws Exception {
        // From node A's agent: the client itself refuses a server that is not its own node's (xds/node-a != node-b).
        EnvoyDataplane a = open("node-a");
        Path bFiles = tmp.resolve("node-b-files");
        a.writeXdsClientCredentials("node-b", bFiles);
        assertThat(call(withCertificate(a, bFiles))).isNotEqualTo(Status.Code.OK);

        // From a cluster-wide control plane, which every node's client accepts: the server refuses node B's
        // certificate asking for node A's resources.
        EnvoyDataplane cluster = open("");
        assertThat(call(withCertificate(cluster, bFiles))).isNotEqualTo(Status.Code.OK);
        Eventually.until("the control plane counted the denial", () -> cluster.xdsDenials() > 0);
        assertThat(backend.calls.get()).isZero();
    }
}
