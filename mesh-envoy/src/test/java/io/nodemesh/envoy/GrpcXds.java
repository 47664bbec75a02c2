package io.nodemesh.envoy;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.internal.JsonParser;
import io.grpc.xds.XdsNameResolverProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Proxyless gRPC channels resolved by grpc-java's real xDS client against a nodemesh ADS server. Each channel gets its
 * own URI scheme and bootstrap (grpc's test hook), so tests in one JVM can each talk to their own server.
 */
final class GrpcXds {
    private static final AtomicInteger SCHEMES = new AtomicInteger();

    private GrpcXds() {}

    static Map<String, ?> bootstrap(String nodeId, int xdsPort) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, ?> map =
                    (Map<String, ?>) JsonParser.parse(Bootstraps.grpcJson(nodeId, "node-a", "127.0.0.1", xdsPort));
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Closes {@code channels} (nulls skipped), each given a few seconds to end its calls. */
    static void shutdown(Iterable<ManagedChannel> channels) throws InterruptedException {
        for (ManagedChannel ch : channels) {
            if (ch == null) continue;
            ch.shutdownNow();
            ch.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    /** A port free on {@code ip} now, for a server the test starts there (gRPC servers learn their listener by address). */
    static int freePort(String ip) {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.bind(new java.net.InetSocketAddress(ip, 0));
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port on " + ip, e);
        }
    }

    /** A channel to {@code xds:///<host>} whose xDS client identifies as {@code nodeId}. */
    @SuppressWarnings("deprecation") // nameResolverFactory is the documented way to use a test provider per channel
    static ManagedChannel channel(String host, String nodeId, int xdsPort) {
        String scheme = "nmxds" + SCHEMES.incrementAndGet();
        XdsNameResolverProvider provider = XdsNameResolverProvider.createForTest(scheme, bootstrap(nodeId, xdsPort));
        return Grpc.newChannelBuilder(scheme + ":///" + host, InsecureChannelCredentials.create())
                .nameResolverFactory(provider)
                .build();
    }
}
