package io.nodemesh.wireguard.uapi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a scripted UAPI server on a real Unix domain socket (no root, no wireguard-go). */
class UapiClientTest {
    @TempDir
    Path dir;

    private ServerSocketChannel server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    @AfterEach
    void stop() throws IOException {
        if (server != null) server.close();
    }

    private UapiClient serve(Function<String, String> reply) throws IOException {
        Path socket = dir.resolve("wg-test.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX).bind(UnixDomainSocketAddress.of(socket));
        Thread.ofPlatform().daemon().start(() -> {
            while (server.isOpen()) {
                try (SocketChannel c = server.accept()) {
                    String request = readRequest(c);
                    requests.add(request);
                    c.write(ByteBuffer.wrap(reply.apply(request).getBytes(StandardCharsets.UTF_8)));
                } catch (IOException e) {
                    return;
                }
            }
        });
        return new UapiClient(socket);
    }

    private static String readRequest(SocketChannel c) throws IOException {
        StringBuilder sb = new StringBuilder();
        ByteBuffer b = ByteBuffer.allocate(4096);
        while (!sb.toString().endsWith("\n\n")) {
            if (c.read(b) < 0) break;
            b.flip();
            sb.append(StandardCharsets.UTF_8.decode(b));
            b.clear();
        }
        return sb.toString();
    }

    @Test
    void getParsesTheReply() throws Exception {
        WireguardKey peer = WireguardPrivateKey.generate().publicKey();
        UapiClient client =
                serve(r -> "listen_port=1234\npublic_key=" + peer.hex() + "\nallowed_ip=10.0.0.0/24\nerrno=0\n\n");
        DeviceState s = client.get();
        assertThat(requests).containsExactly("get=1\n\n");
        assertThat(s.listenPort()).isEqualTo(1234);
        assertThat(s.peer(peer))
                .get()
                .extracting(PeerState::allowedIps)
                .asList()
                .containsExactly("10.0.0.0/24");
    }

    @Test
    void anErrnoReplyNamesThePeerAndTheFieldTheDeviceRefused() throws Exception {
        WireguardKey peer = WireguardPrivateKey.generate().publicKey();
        // The device took public_key and endpoint, then refused the keepalive: its read-back shows no keepalive.
        UapiClient client = serve(r -> r.startsWith("get")
                ? "public_key=" + peer.hex()
                        + "\nendpoint=10.211.0.2:51820\npersistent_keepalive_interval=0\nerrno=0\n\n"
                : "errno=-22\n\n");
        var update = DeviceUpdate.peer(PeerUpdate.upsert(
                "node-b",
                peer,
                new InetSocketAddress(InetAddress.getByName("10.211.0.2"), 51820),
                25,
                List.of("10.210.2.0/24")));
        assertThatThrownBy(() -> client.set(update)).isInstanceOfSatisfying(UapiException.class, e -> {
            assertThat(e.peer()).isEqualTo("node-b");
            assertThat(e.field()).isEqualTo("persistent_keepalive_interval");
            assertThat(e.errno()).isEqualTo(22);
            assertThat(e.getMessage())
                    .contains("peer node-b")
                    .contains("persistent_keepalive_interval=25")
                    .contains("EINVAL");
        });
    }

    @Test
    void aRefusedPrivateKeyIsNotPrinted() throws Exception {
        UapiClient client = serve(r -> r.startsWith("get") ? "errno=0\n\n" : "errno=-5\n\n");
        var key = WireguardPrivateKey.generate();
        assertThatThrownBy(() -> client.set(DeviceUpdate.privateKey(key)))
                .isInstanceOfSatisfying(UapiException.class, e -> {
                    assertThat(e.field()).isEqualTo("private_key");
                    assertThat(e.getMessage()).contains("<redacted>").doesNotContain(key.revealHex());
                });
    }

    @Test
    void aMissingSocketSaysWhatToCheck() {
        UapiClient client = new UapiClient(dir.resolve("nothing.sock"));
        assertThatThrownBy(client::get)
                .isInstanceOf(UapiException.class)
                .hasMessageContaining("nothing.sock")
                .hasMessageContaining("wireguard-go process");
    }
}
