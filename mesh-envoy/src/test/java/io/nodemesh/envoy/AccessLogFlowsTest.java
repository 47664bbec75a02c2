package io.nodemesh.envoy;

import static io.nodemesh.envoy.TestStates.*;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Timestamp;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.Pipe;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogCommon;
import io.envoyproxy.envoy.data.accesslog.v3.AccessLogType;
import io.envoyproxy.envoy.data.accesslog.v3.ConnectionProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPRequestProperties;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPResponseProperties;
import io.envoyproxy.envoy.data.accesslog.v3.ResponseFlags;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Flows;
import io.nodemesh.api.Verdict;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.envoy.internal.translate.AccessLogTranslator;
import io.nodemesh.envoy.internal.translate.Names;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The node Envoy's access logs becoming flow events. A real gRPC client speaks Envoy's access-log protocol to a running
 * {@link EnvoyDataplane} on its xDS port, as Envoy's {@code http_grpc}/{@code tcp_grpc} loggers do: one stream per log
 * name, the identifier (node and log name) on the first message only, entries in batches, the stream reset or closed
 * when Envoy goes away. The entries carry what Envoy fills in for each case (addresses after {@code original_dst},
 * upstream cluster, response code details, response flags).
 */
@org.junit.jupiter.api.Timeout(value = 60, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
class AccessLogFlowsTest {
    private static final String CLIENT = "127.0.0.2", WEB = "127.0.0.3";
    private static final String WEB_VIP = "10.96.0.1", EMPTY_VIP = "10.96.0.2";
    private static final Instant T0 = Instant.parse("2026-11-25T12:00:00.250Z");
    private static final MeshState STATE = MeshState.builder()
            .node(nodeA())
            .workload(workload("client", CLIENT))
            .workload(workload("web", WEB))
            .service(l7("web", WEB_VIP, 8080, List.of(Endpoint.ready(WEB, "shop/web"))))
            .service(l7("empty", EMPTY_VIP, 8080, List.of()))
            .policy(new Policy(
                    "shop",
                    "deny-admin",
                    PolicyAction.DENY,
                    List.of("spiffe://" + TD + "/ns/shop/sa/client"),
                    List.of(),
                    List.of("shop/web"),
                    List.of(),
                    List.of(io.nodemesh.api.state.HttpMatch.path(io.nodemesh.api.state.PathMatch.prefix("/admin")))))
            .build();
    private static final FlowPeer CLIENT_PEER =
            new FlowPeer(CLIENT, 40000, "shop/client", "spiffe://" + TD + "/ns/shop/sa/client");

    private EnvoyDataplane dp;
    private ManagedChannel channel;
    private final List<FlowEvent> events = new CopyOnWriteArrayList<>();
    private Flows.Subscription subscription;

    @BeforeEach
    void start() {
        dp = new EnvoyDataplane(DataplaneOptions.DEFAULTS.with("envoy.xdsSecurity", "plaintext"));
        dp.apply(STATE);
        subscription = dp.flows().subscribe(events::add);
        channel = Grpc.newChannelBuilderForAddress("127.0.0.1", dp.xdsPort(), InsecureChannelCredentials.create())
                .build();
    }

    @AfterEach
    void stop() throws Exception {
        subscription.close();
        channel.shutdownNow();
        channel.awaitTermination(5, TimeUnit.SECONDS);
        dp.close();
    }

    @Test
    void httpRequestsBecomeEventsWithWorkloadServiceBackendAndVerdict() {
        var done = new Completion();
        StreamObserver<StreamAccessLogsMessage> stream =
                AccessLogServiceGrpc.newStub(channel).streamAccessLogs(done);
        // Envoy's first message of a stream carries the identifier; later ones only entries.
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(identifier("node-a~10.1.0.1~envoy", AccessLogTranslator.HTTP_LOG))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(forwarded(CLIENT, 40000))
                        .addLogEntry(rbacDenied()))
                .build());
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(noHealthyUpstream()))
                .build());
        Eventually.until("three flow events", () -> events.size() == 3);

        FlowPeer webVip = new FlowPeer(WEB_VIP, 8080, "", "");
        assertThat(events)
                .containsExactly(
                        new FlowEvent(
                                T0,
                                "node-a",
                                FlowEvent.Type.TRANSLATE,
                                CLIENT_PEER,
                                webVip,
                                "shop/web",
                                new FlowPeer(WEB, 8080, "shop/web", "spiffe://" + TD + "/ns/shop/sa/web"),
                                Verdict.FORWARDED,
                                FlowPath.NODE_PROXY,
                                100 + 0 + 80 + 1200),
                        new FlowEvent(
                                T0.plusSeconds(1),
                                "node-a",
                                FlowEvent.Type.DROP,
                                CLIENT_PEER,
                                webVip,
                                "shop/web",
                                null,
                                Verdict.DROPPED_POLICY,
                                FlowPath.NODE_PROXY,
                                100 + 60 + 19),
                        new FlowEvent(
                                T0.plusSeconds(2),
                                "node-a",
                                FlowEvent.Type.DROP,
                                CLIENT_PEER,
                                new FlowPeer(EMPTY_VIP, 8080, "", ""),
                                "shop/empty",
                                null,
                                Verdict.NO_BACKEND,
                                FlowPath.NODE_PROXY,
                                100 + 70 + 19));
        assertThat(dp.flows().stats().byVerdict())
                .containsEntry(Verdict.FORWARDED, 1L)
                .containsEntry(Verdict.DROPPED_POLICY, 1L)
                .containsEntry(Verdict.NO_BACKEND, 1L);
        assertThat(dp.flows().stats().byService()).containsEntry("shop/web", 2L).containsEntry("shop/empty", 1L);
        assertThat(dp.accessLogStats()).isEqualTo(new AccessLogStats(1, 3, 3, 0, 0, 0, 0));
        stream.onCompleted();
        assertThat(done.result.join()).isEqualTo("completed after 1 response(s)");
    }

    @Test
    void passthroughTcpConnectionIsReportedWithItsBytes() {
        var done = new Completion();
        StreamObserver<StreamAccessLogsMessage> stream =
                AccessLogServiceGrpc.newStub(channel).streamAccessLogs(done);
        // A connection to an address no service has: the default chain's TCP proxy to the original destination.
        TCPAccessLogEntry tcp = TCPAccessLogEntry.newBuilder()
                .setCommonProperties(common(CLIENT, 40001, "192.0.2.7", 5432)
                        .setUpstreamCluster(Names.PASSTHROUGH_CLUSTER)
                        .setUpstreamRemoteAddress(address("192.0.2.7", 5432))
                        .setAccessLogType(AccessLogType.TcpConnectionEnd))
                .setConnectionProperties(
                        ConnectionProperties.newBuilder().setReceivedBytes(512).setSentBytes(2048))
                .build();
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(identifier("node-a", AccessLogTranslator.TCP_LOG))
                .setTcpLogs(
                        StreamAccessLogsMessage.TCPAccessLogEntries.newBuilder().addLogEntry(tcp))
                .build());
        Eventually.until("one flow event", () -> events.size() == 1);

        FlowPeer outside = new FlowPeer("192.0.2.7", 5432, "", "host");
        assertThat(events)
                .containsExactly(new FlowEvent(
                        T0,
                        "node-a",
                        FlowEvent.Type.CLOSE,
                        new FlowPeer(CLIENT, 40001, "shop/client", CLIENT_PEER.identity()),
                        outside,
                        "",
                        outside,
                        Verdict.FORWARDED,
                        FlowPath.NODE_PROXY,
                        2560));
        stream.onCompleted();
        assertThat(done.result.join()).isEqualTo("completed after 1 response(s)");
    }

    /** A source outside every workload (a host process, an unknown pod) is reported as host, not dropped. */
    @Test
    void entryFromAnUnknownAddressIsReportedAsHost() {
        var done = new Completion();
        StreamObserver<StreamAccessLogsMessage> stream =
                AccessLogServiceGrpc.newStub(channel).streamAccessLogs(done);
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(identifier("node-a", AccessLogTranslator.HTTP_LOG))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(forwarded("10.244.9.9", 51000)))
                .build());
        Eventually.until("one flow event", () -> events.size() == 1);

        assertThat(events.getFirst().source()).isEqualTo(new FlowPeer("10.244.9.9", 51000, "", "host"));
        assertThat(events.getFirst().verdict()).isEqualTo(Verdict.FORWARDED);
        assertThat(events.getFirst().service()).isEqualTo("shop/web");
        stream.onCompleted();
        done.result.join();
    }

    /**
     * Bytes that are no protobuf message, and an entry whose addresses are not IP sockets, are skipped and counted; the
     * entries after them on the same stream still become events. Sent through a raw-bytes call (a real client cannot
     * send a broken message through the generated stub).
     */
    @Test
    void malformedMessageAndUnusableEntryDoNotBreakTheStream() {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder()
                .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
                .setFullMethodName(
                        AccessLogServiceGrpc.getStreamAccessLogsMethod().getFullMethodName())
                .setRequestMarshaller(new Bytes())
                .setResponseMarshaller(new Bytes())
                .build();
        var done = new CompletableFuture<String>();
        ClientCall<byte[], byte[]> call = channel.newCall(raw, CallOptions.DEFAULT);
        StreamObserver<byte[]> stream = ClientCalls.asyncClientStreamingCall(call, new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {}

            @Override
            public void onError(Throwable t) {
                done.complete("error " + t);
            }

            @Override
            public void onCompleted() {
                done.complete("completed");
            }
        });
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(identifier("node-a", AccessLogTranslator.HTTP_LOG))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(forwarded(CLIENT, 40000)))
                .build()
                .toByteArray());
        stream.onNext(new byte[] {0x12, 0x7f, 0x0a}); // field 2 (http_logs) claims 127 bytes, has 1: truncated
        HTTPAccessLogEntry pipe = forwarded(CLIENT, 40002).toBuilder()
                .setCommonProperties(forwarded(CLIENT, 40002).getCommonProperties().toBuilder()
                        .setDownstreamRemoteAddress(
                                Address.newBuilder().setPipe(Pipe.newBuilder().setPath("/run/app.sock"))))
                .build();
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(pipe)
                        .addLogEntry(forwarded(CLIENT, 40003)))
                .build()
                .toByteArray());
        Eventually.until("two flow events", () -> events.size() == 2);
        stream.onCompleted();
        assertThat(done.join()).isEqualTo("completed");

        assertThat(events).extracting(e -> e.source().port()).containsExactly(40000, 40003);
        assertThat(dp.accessLogStats()).isEqualTo(new AccessLogStats(1, 3, 2, 1, 1, 0, 0));
    }

    /** Envoy resets its stream when it restarts, then opens a new one: the reset is absorbed and the new stream reports. */
    @Test
    void resetStreamIsHandledAndANewStreamReportsAgain() {
        var first = new Completion();
        StreamObserver<StreamAccessLogsMessage> stream =
                AccessLogServiceGrpc.newStub(channel).streamAccessLogs(first);
        stream.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(identifier("node-a", AccessLogTranslator.HTTP_LOG))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(forwarded(CLIENT, 40000)))
                .build());
        Eventually.until("one flow event", () -> events.size() == 1);
        stream.onError(new IllegalStateException("envoy shutting down")); // the client stub cancels the call
        assertThat(first.result.join()).startsWith("error CANCELLED");

        var second = new Completion();
        StreamObserver<StreamAccessLogsMessage> again =
                AccessLogServiceGrpc.newStub(channel).streamAccessLogs(second);
        again.onNext(StreamAccessLogsMessage.newBuilder()
                .setIdentifier(identifier("node-a~restarted", AccessLogTranslator.HTTP_LOG))
                .setHttpLogs(StreamAccessLogsMessage.HTTPAccessLogEntries.newBuilder()
                        .addLogEntry(forwarded(CLIENT, 40001)))
                .build());
        again.onCompleted();
        assertThat(second.result.join()).isEqualTo("completed after 1 response(s)");
        Eventually.until("two flow events", () -> events.size() == 2);
        assertThat(events.get(1).node()).isEqualTo("node-a");
        assertThat(events.get(1).source().port()).isEqualTo(40001);
        assertThat(dp.accessLogStats().streams()).isEqualTo(2);
    }

    /** A request the route sent to the web backend, as Envoy's router logs it. */
    private static HTTPAccessLogEntry forwarded(String sourceIp, int sourcePort) {
        return HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(common(sourceIp, sourcePort, WEB_VIP, 8080)
                        .setUpstreamCluster(Names.cluster("shop/web", 8080))
                        .setRouteName("default")
                        .setUpstreamRemoteAddress(address(WEB, 8080))
                        .setUpstreamLocalAddress(address("127.0.0.1", 45000)))
                .setProtocolVersion(HTTPAccessLogEntry.HTTPVersion.HTTP11)
                .setRequest(HTTPRequestProperties.newBuilder()
                        .setRequestMethod(io.envoyproxy.envoy.config.core.v3.RequestMethod.GET)
                        .setPath("/")
                        .setAuthority("web.shop")
                        .setRequestHeadersBytes(100))
                .setResponse(HTTPResponseProperties.newBuilder()
                        .setResponseCode(UInt32Value.of(200))
                        .setResponseCodeDetails("via_upstream")
                        .setResponseHeadersBytes(80)
                        .setResponseBodyBytes(1200))
                .build();
    }

    /** Envoy's RBAC filter answering 403 itself: no upstream, no response flag, the policy in the response code details. */
    private static HTTPAccessLogEntry rbacDenied() {
        return HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(common(CLIENT, 40000, WEB_VIP, 8080)
                        .setStartTime(timestamp(T0.plusSeconds(1)))
                        .setRouteName("default"))
                .setRequest(HTTPRequestProperties.newBuilder().setPath("/admin").setRequestHeadersBytes(100))
                .setResponse(HTTPResponseProperties.newBuilder()
                        .setResponseCode(UInt32Value.of(403))
                        .setResponseCodeDetails("rbac_access_denied_matched_policy[shop/deny-admin]")
                        .setResponseHeadersBytes(60)
                        .setResponseBodyBytes(19))
                .build();
    }

    /** A service with no ready endpoint: the router's 503 with the UH flag. */
    private static HTTPAccessLogEntry noHealthyUpstream() {
        return HTTPAccessLogEntry.newBuilder()
                .setCommonProperties(common(CLIENT, 40000, EMPTY_VIP, 8080)
                        .setStartTime(timestamp(T0.plusSeconds(2)))
                        .setUpstreamCluster(Names.cluster("shop/empty", 8080))
                        .setRouteName("default")
                        .setResponseFlags(ResponseFlags.newBuilder().setNoHealthyUpstream(true)))
                .setRequest(HTTPRequestProperties.newBuilder().setPath("/").setRequestHeadersBytes(100))
                .setResponse(HTTPResponseProperties.newBuilder()
                        .setResponseCode(UInt32Value.of(503))
                        .setResponseCodeDetails("no_healthy_upstream")
                        .setResponseHeadersBytes(70)
                        .setResponseBodyBytes(19))
                .build();
    }

    private static AccessLogCommon.Builder common(String srcIp, int srcPort, String dstIp, int dstPort) {
        return AccessLogCommon.newBuilder()
                .setSampleRate(1.0)
                .setStartTime(timestamp(T0))
                .setDownstreamRemoteAddress(address(srcIp, srcPort))
                .setDownstreamDirectRemoteAddress(address(srcIp, srcPort))
                .setDownstreamLocalAddress(address(dstIp, dstPort))
                .setAccessLogType(AccessLogType.DownstreamEnd);
    }

    private static StreamAccessLogsMessage.Identifier identifier(String nodeId, String logName) {
        return StreamAccessLogsMessage.Identifier.newBuilder()
                .setNode(io.envoyproxy.envoy.config.core.v3.Node.newBuilder()
                        .setId(nodeId)
                        .setCluster("nodemesh"))
                .setLogName(logName)
                .build();
    }

    private static Address address(String ip, int port) {
        return Address.newBuilder()
                .setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
                .build();
    }

    private static Timestamp timestamp(Instant t) {
        return Timestamp.newBuilder()
                .setSeconds(t.getEpochSecond())
                .setNanos(t.getNano())
                .build();
    }

    /** The response side of a stream: how it ended. */
    private static final class Completion implements StreamObserver<StreamAccessLogsResponse> {
        final CompletableFuture<String> result = new CompletableFuture<>();
        private int responses;

        @Override
        public void onNext(StreamAccessLogsResponse value) {
            responses++;
        }

        @Override
        public void onError(Throwable t) {
            result.complete("error " + io.grpc.Status.fromThrowable(t).getCode());
        }

        @Override
        public void onCompleted() {
            result.complete("completed after " + responses + " response(s)");
        }
    }

    private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
