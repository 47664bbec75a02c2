package io.nodemesh.envoy.internal.accesslog;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.AccessLogStats;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A flow subscriber that stops consuming does not hold up the proxy's access-log stream: the receiver's queue fills,
 * further events are counted as lost (on the hub too), and the stream is still read and completed.
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class AccessLogBackPressureTest {
    private static final int CAPACITY = 4, SENT = 50;

    @Test
    void stuckSubscriberCostsEventsNotTheStream() throws Exception {
        FlowHub hub = new FlowHub();
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        hub.subscribe(e -> {
            try {
                release.await();
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
            }
            delivered.incrementAndGet();
        });
        try (AccessLogReceiver receiver = new AccessLogReceiver(hub, "node-a", Clock.systemUTC(), CAPACITY)) {
            receiver.applied(MeshState.EMPTY);
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .addService(receiver)
                    .build()
                    .start();
            ManagedChannel channel = Grpc.newChannelBuilderForAddress(
                            "127.0.0.1", server.getPort(), InsecureChannelCredentials.create())
                    .build();
            try {
                var done = new CompletableFuture<String>();
                StreamObserver<StreamAccessLogsMessage> stream = AccessLogServiceGrpc.newStub(channel)
                        .streamAccessLogs(new StreamObserver<>() {
                            @Override
                            public void onNext(StreamAccessLogsResponse value) {}

                            @Override
                            public void onError(Throwable t) {
                                done.complete("error " + t);
                            }

                            @Override
                            public void onCompleted() {
                                done.complete("completed");
                            }
                        });
                var batch = StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder();
                for (int i = 0; i < SENT; i++) batch.addLogEntry(entry(30000 + i));
                stream.onNext(StreamAccessLogsMessage.newBuilder()
                        .setIdentifier(StreamAccessLogsMessage.Identifier.newBuilder()
                                .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                                        .setId("node-a"))
                                .setLogName("nodemesh-http"))
                        .setHttpLogs(batch)
                        .build());
                stream.onCompleted();
                // The subscriber is still stuck on its first event, yet the whole stream was read and answered.
                assertThat(done.get(30, TimeUnit.SECONDS)).isEqualTo("completed");
                assertThat(delivered).hasValue(0);
                AccessLogStats stuck = receiver.stats();
                assertThat(stuck.entries()).isEqualTo(SENT);
                // At most the queue and the one event the publisher holds got through; the rest were dropped and
                // counted.
                assertThat(stuck.lost()).isBetween((long) SENT - CAPACITY - 1, (long) SENT - CAPACITY);
                assertThat(hub.stats().lost()).isEqualTo(stuck.lost());

                release.countDown();
                long kept = SENT - stuck.lost();
                until(() -> delivered.get() == kept);
                assertThat(receiver.stats().published()).isEqualTo(kept);
            } finally {
                channel.shutdownNow();
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    private static void until(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened");
            Thread.sleep(10);
        }
    }

    private static HTTPAccessLogEntry entry(int sourcePort) {
        return HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(AccessLogCommon.newBuilder()
                        .setSampleRate(1.0)
                        .setDownstreamRemoteAddress(address("127.0.0.2", sourcePort))
                        .setDownstreamLocalAddress(address("10.96.0.1", 8080)))
                .setResponse(HTTPResponseProperties.newBuilder().setResponseCode(UInt32Value.of(200)))
                .build();
    }

    private static Address address(String ip, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
                .build();
    }
}
