package io.nodemesh.wireguard.uapi;

import java.io.IOException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A client of the cross-platform WireGuard UAPI over its Unix domain socket, as served by wireguard-go and boringtun
 * ({@code /var/run/wireguard/<interface>.sock}). One connection per request; thread-safe.
 */
public final class UapiClient {
    public static final Path SOCKET_DIR = Path.of("/var/run/wireguard");
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final Path socket;

    public UapiClient(Path socket) {
        this.socket = socket;
    }

    public static UapiClient forInterface(String iface) {
        return new UapiClient(SOCKET_DIR.resolve(iface + ".sock"));
    }

    public Path socket() {
        return socket;
    }

    /** The device's configuration and counters. */
    public DeviceState get() {
        String reply = exchange("get=1\n\n");
        int errno = UapiCodec.errno(reply);
        if (errno != 0)
            throw new UapiException("get on " + socket + " failed: " + Errno.describe(errno), errno, "", "", null);
        try {
            return UapiCodec.decodeGet(reply);
        } catch (IllegalArgumentException e) {
            throw new UapiException("malformed get reply from " + socket + ": " + e.getMessage(), 0, "", "", e);
        }
    }

    /**
     * Applies {@code update}. On an errno reply the exception names the peer and the field the device refused
     * (found by reading the device back), e.g. {@code peer node-b: wireguard-go refused endpoint=... (EINVAL)}.
     */
    public void set(DeviceUpdate update) {
        set(UapiCodec.encode(update));
    }

    void set(List<UapiLine> lines) {
        String reply = exchange(UapiCodec.request("set", lines));
        int errno = UapiCodec.errno(reply);
        if (errno == 0) return;
        Optional<UapiLine> culprit = Optional.empty();
        try {
            culprit = UapiCodec.firstNotApplied(lines, get());
        } catch (UapiException ignored) {
            // the device is gone; report what we know
        }
        throw culprit.map(l -> refused(l, errno))
                .orElseGet(() -> new UapiException(
                        "set on " + socket + " failed (" + Errno.describe(errno) + ") in a request for "
                                + lines.stream()
                                        .map(l -> l.peer().isEmpty() ? l.key() : "peer " + l.peer() + " " + l.key())
                                        .distinct()
                                        .collect(Collectors.joining(", ")),
                        errno,
                        onlyPeer(lines),
                        "",
                        null));
    }

    private UapiException refused(UapiLine line, int errno) {
        String value =
                line.key().equals("private_key") || line.key().equals("preshared_key") ? "<redacted>" : line.value();
        String where = line.peer().isEmpty() ? "device " + socket : "peer " + line.peer();
        return new UapiException(
                where + ": wireguard-go refused " + line.key() + "=" + value + " (" + Errno.describe(errno) + ")",
                errno,
                line.peer(),
                line.key(),
                null);
    }

    private static String onlyPeer(List<UapiLine> lines) {
        var peers = lines.stream()
                .map(UapiLine::peer)
                .filter(p -> !p.isEmpty())
                .distinct()
                .toList();
        return peers.size() == 1 ? peers.getFirst() : "";
    }

    private String exchange(String request) {
        try (SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            channel.write(ByteBuffer.wrap(request.getBytes(StandardCharsets.UTF_8)));
            return readReply(channel);
        } catch (IOException e) {
            throw new UapiException(
                    "cannot talk to the WireGuard UAPI socket " + socket + " (" + e.getMessage()
                            + "); is the wireguard-go process for this interface running?",
                    0,
                    "",
                    "",
                    e);
        }
    }

    /** Reads until the blank line that ends every reply, giving up after a timeout rather than hanging an apply. */
    private String readReply(SocketChannel channel) throws IOException {
        channel.configureBlocking(false);
        StringBuilder reply = new StringBuilder();
        ByteBuffer buffer = ByteBuffer.allocate(16 * 1024);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        try (Selector selector = Selector.open()) {
            channel.register(selector, SelectionKey.OP_READ);
            while (!endsReply(reply)) {
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new IOException("no complete reply within " + TIMEOUT.toSeconds() + " s");
                selector.select(Math.max(1, left / 1_000_000));
                selector.selectedKeys().clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    if (reply.isEmpty()) throw new IOException("connection closed without a reply");
                    break;
                }
                buffer.flip();
                reply.append(StandardCharsets.UTF_8.decode(buffer));
                buffer.clear();
            }
        }
        return reply.toString();
    }

    private static boolean endsReply(CharSequence s) {
        int n = s.length();
        return n >= 2
                && s.charAt(n - 1) == '\n'
                && s.charAt(n - 2) == '\n'
                && s.toString().contains("errno=");
    }
}
