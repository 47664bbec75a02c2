package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nodemesh bootstrap}: what it prints is an Envoy (or gRPC) bootstrap naming the node and the agent's xDS server,
 * reached over mTLS with the node's xDS client credentials the agent writes under its CA directory.
 */
class BootstrapCommandTest {
    @TempDir
    Path dir;

    record Output(int exit, String out, String err) {}

    static Output bootstrap(String... args) {
        BootstrapCommand command = new BootstrapCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(command).execute(args);
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static Bootstrap parse(String json) throws Exception {
        Bootstrap.Builder b = Bootstrap.newBuilder();
        JsonFormat.parser()
                .usingTypeRegistry(JsonFormat.TypeRegistry.newBuilder()
                        .add(HttpProtocolOptions.getDescriptor())
                        .add(UpstreamTlsContext.getDescriptor())
                        .build())
                .merge(json, b);
        return b.build();
    }

    @Test
    void printsABootstrapNamingTheNodeAndTheXdsServer() throws Exception {
        // The agent's own flags pass through unchanged: settings of other backends are ignored.
        Output o = bootstrap(
                "--node",
                "node-a",
                "--option",
                "envoy.xdsPort=15010",
                "--option",
                "envoy.caDir=/etc/nodemesh/ca",
                "--option",
                "ebpf.pinRoot=/sys/fs/bpf/nodemesh");
        assertThat(o.exit()).as(o.err()).isZero();
        Bootstrap b = parse(o.out());
        assertThat(b.getNode().getId()).isEqualTo("node-a");
        var address = b.getStaticResources()
                .getClusters(0)
                .getLoadAssignment()
                .getEndpoints(0)
                .getLbEndpoints(0)
                .getEndpoint()
                .getAddress()
                .getSocketAddress();
        assertThat(address.getAddress()).isEqualTo("127.0.0.1");
        assertThat(address.getPortValue()).isEqualTo(15010);
        assertThat(b.getAdmin().getAddress().getSocketAddress().getPortValue()).isEqualTo(9901);

        // mTLS by default, with the files the agent writes for node-a under its CA directory.
        UpstreamTlsContext tls = b.getStaticResources()
                .getClusters(0)
                .getTransportSocket()
                .getTypedConfig()
                .unpack(UpstreamTlsContext.class);
        var common = tls.getCommonTlsContext();
        assertThat(common.getTlsCertificates(0).getCertificateChain().getFilename())
                .isEqualTo("/etc/nodemesh/ca/xds+node-a/cert.pem");
        assertThat(common.getTlsCertificates(0).getPrivateKey().getFilename())
                .isEqualTo("/etc/nodemesh/ca/xds+node-a/key.pem");
        assertThat(common.getValidationContext().getTrustedCa().getFilename())
                .isEqualTo("/etc/nodemesh/ca/xds+node-a/ca.pem");
        assertThat(common.getValidationContext().getMatchTypedSubjectAltNamesList())
                .extracting(m -> m.getMatcher().getExact())
                .containsExactly(
                        "spiffe://cluster.local/nodemesh/xds/node-a",
                        "spiffe://cluster.local/nodemesh/xds/control-plane");
    }

    @Test
    void theGrpcVariantCarriesA65ChannelCredsOverTheCredentialsDir() throws Exception {
        Output o = bootstrap(
                "--for",
                "grpc",
                "--node",
                "node-a",
                "--ca-dir",
                "/etc/nodemesh/ca",
                "--option",
                "envoy.credentialsDir=/var/lib/nodemesh/credentials",
                "--option",
                "envoy.xdsPort=15010");
        assertThat(o.exit()).as(o.err()).isZero();
        var server = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(o.out())
                .path("xds_servers")
                .path(0);
        assertThat(server.path("server_uri").asText()).isEqualTo("127.0.0.1:15010");
        var creds = server.path("channel_creds").path(0);
        assertThat(creds.path("type").asText()).isEqualTo("tls");
        String files = "/var/lib/nodemesh/credentials/xds+node-a/";
        assertThat(creds.path("config").path("certificate_file").asText()).isEqualTo(files + "cert.pem");
        assertThat(creds.path("config").path("private_key_file").asText()).isEqualTo(files + "key.pem");
        assertThat(creds.path("config").path("ca_certificate_file").asText()).isEqualTo(files + "ca.pem");
        assertThat(creds.path("config").path("refresh_interval").asText()).isEqualTo("60s");
    }

    @Test
    void aPlaintextXdsServerOffLoopbackIsRefusedAndALoopbackOneIsWrittenToTheFile() throws Exception {
        Output refused = bootstrap(
                "--node",
                "node-b",
                "--option",
                "envoy.xdsHost=0.0.0.0",
                "--option",
                "envoy.xdsPort=18000",
                "--option",
                "envoy.xdsSecurity=plaintext");
        assertThat(refused.exit()).isNotZero();
        assertThat(refused.err()).contains("envoy.xdsSecurity=mtls").doesNotContain("\tat ");

        Path file = dir.resolve("envoy.json");
        Output o = bootstrap(
                "--node",
                "node-b",
                "--option",
                "envoy.xdsHost=127.0.0.1",
                "--option",
                "envoy.xdsPort=18000",
                "--option",
                "envoy.xdsSecurity=plaintext",
                "--admin-port",
                "19000",
                "--output-file",
                file.toString());
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).contains("node-b").contains(file.toString());
        Bootstrap b = parse(Files.readString(file));
        assertThat(b.getNode().getId()).isEqualTo("node-b");
        assertThat(b.getStaticResources()
                        .getClusters(0)
                        .getLoadAssignment()
                        .getEndpoints(0)
                        .getLbEndpoints(0)
                        .getEndpoint()
                        .getAddress()
                        .getSocketAddress()
                        .getAddress())
                .isEqualTo("127.0.0.1");
        assertThat(b.getStaticResources().getClusters(0).hasTransportSocket()).isFalse();
    }

    @Test
    void operatorMistakesAreOneLine() {
        Output noPort = bootstrap("--node", "node-a");
        assertThat(noPort.exit()).isEqualTo(2);
        assertThat(noPort.err())
                .contains("envoy.xdsPort is 0")
                .doesNotContain("Exception")
                .hasLineCount(1);

        Output badPort = bootstrap("--node", "node-a", "--option", "envoy.xdsPort=99999");
        assertThat(badPort.exit()).isEqualTo(2);
        assertThat(badPort.err()).contains("envoy.xdsPort").doesNotContain("\tat ");

        Output unknown = bootstrap("--node", "node-a", "--option", "envoy.xdsPrt=1");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("envoy.xdsPrt").doesNotContain("\tat ");

        Output noCa = bootstrap("--node", "node-a", "--option", "envoy.xdsPort=15010");
        assertThat(noCa.exit()).isEqualTo(2);
        assertThat(noCa.err())
                .contains("pass the agent's --ca-dir DIR")
                .contains("envoy.xdsSecurity=plaintext")
                .hasLineCount(1);

        Output noDir = bootstrap(
                "--node",
                "node-a",
                "--ca-dir",
                dir.resolve("ca").toString(),
                "--option",
                "envoy.xdsPort=15010",
                "--output-file",
                dir.resolve("missing/envoy.json").toString());
        assertThat(noDir.exit()).isEqualTo(1);
        assertThat(noDir.err()).startsWith("cannot write the bootstrap to").hasLineCount(1);
    }
}
