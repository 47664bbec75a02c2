package io.nodemesh.xds.client.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.CallOptions;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.nodemesh.xds.client.TlsFilesConfig;
import io.nodemesh.xds.client.XdsTlsCredentials;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes over loopback: a client with node A's certificate reaches a server presenting node A's xDS
 * identity (no host name in it) or the control plane's, and refuses one presenting node B's or a workload's.
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class ServerIdentityHandshakeTest {
    private static final MethodDescriptor.Marshaller<String> STRING = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(String value) {
            return new ByteArrayInputStream(value.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public String parse(InputStream stream) {
            try {
                return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<String, String> PEER = MethodDescriptor.<String, String>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("nodemesh.test.Tls/Peer")
            .setRequestMarshaller(STRING)
            .setResponseMarshaller(STRING)
            .build();

    @TempDir
    Path tmp;

    private TestPki pki;
    private Server server;
    private ManagedChannel channel;

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(tmp);
    }

    @AfterEach
    void stop() throws Exception {
        if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (server != null) server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /** An echo server presenting {@code uri} and requiring a client certificate from the test root. */
    private int serve(String uri) throws Exception {
        Path dir = pki.leaf("server", uri);
        var credentials = TlsServerCredentials.newBuilder()
                .keyManager(
                        dir.resolve("cert.pem").toFile(), dir.resolve("key.pem").toFile())
                .trustManager(pki.ca().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
        var service = ServerServiceDefinition.builder("nodemesh.test.Tls")
                .addMethod(PEER, ServerCalls.asyncUnaryCall((req, out) -> {
                    out.onNext(req);
                    out.onCompleted();
                }))
                .build();
        server = Grpc.newServerBuilderForPort(0, credentials)
                .addService(service)
                .build()
                .start();
        return ((InetSocketAddress) server.getListenSockets().getFirst()).getPort();
    }

    private Status.Code call(int port) throws Exception {
        Path a = pki.leaf("client", "spiffe://mesh.test/nodemesh/node/node-a");
        var creds = XdsTlsCredentials.create(
                new TlsFilesConfig(a.resolve("cert.pem"), a.resolve("key.pem"), pki.ca(), Duration.ofMinutes(10)));
        channel = Grpc.newChannelBuilder("127.0.0.1:" + port, creds).build();
        try {
            assertThat(ClientCalls.blockingUnaryCall(
                            channel, PEER, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), "hi"))
                    .isEqualTo("hi");
            return Status.Code.OK;
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode();
        }
    }

    @Test
    void nodeAsClientReachesNodeAsXdsServerWithoutAHostNameInItsCertificate() throws Exception {
        assertThat(call(serve("spiffe://mesh.test/nodemesh/xds/node-a"))).isEqualTo(Status.Code.OK);
    }

    @Test
    void aClusterWideControlPlaneIsAcceptedToo() throws Exception {
        assertThat(call(serve("spiffe://mesh.test/nodemesh/xds/control-plane"))).isEqualTo(Status.Code.OK);
    }

    @Test
    void nodeBsXdsServerOrAWorkloadPosingAsOneIsRefused() throws Exception {
        assertThat(call(serve("spiffe://mesh.test/nodemesh/xds/node-b"))).isEqualTo(Status.Code.UNAVAILABLE);
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        assertThat(call(serve("spiffe://mesh.test/ns/shop/sa/web"))).isEqualTo(Status.Code.UNAVAILABLE);
    }
}
