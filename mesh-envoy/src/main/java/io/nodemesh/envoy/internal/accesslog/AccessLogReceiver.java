package io.nodemesh.envoy.internal.accesslog;

import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.data.accesslog.v3.HTTPAccessLogEntry;
import io.envoyproxy.envoy.data.accesslog.v3.TCPAccessLogEntry;
import io.envoyproxy.envoy.service.accesslog.v3.AccessLogServiceGrpc;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsMessage;
import io.envoyproxy.envoy.service.accesslog.v3.StreamAccessLogsResponse;
import io.grpc.BindableService;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.AccessLogStats;
import io.nodemesh.envoy.internal.xds.NodeSnapshots;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Envoy's gRPC access-log service ({@code envoy.service.accesslog.v3.AccessLogService/StreamAccessLogs}), served on the
 * xDS port: each proxy streams batches of HTTP or TCP entries, the first message naming its node. Every entry becomes
 * a {@link FlowEvent} on the dataplane's {@link FlowHub}.
 * <p>
 * Messages are taken as raw bytes and parsed here, so one that does not parse is counted and skipped instead of
 * failing the call (grpc-java would end the whole stream on a marshalling error); an entry without usable addresses is
 * likewise counted and skipped. Events go through a bounded queue to one publishing thread: {@link FlowHub} calls
 * subscribers synchronously, and a slow subscriber must not hold up the proxy's stream (HTTP/2 flow control would
 * stall it, and Envoy drops entries once its buffer fills). When the queue is full the event is dropped and counted
 * as lost.
 */
public final class AccessLogReceiver implements BindableService, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AccessLogReceiver.class);
    static final int QUEUE_CAPACITY = 16_384;

    private static final MethodDescriptor<byte[], StreamAccessLogsResponse> STREAM =
            MethodDescriptor.<byte[], StreamAccessLogsResponse>newBuilder()
                    .setType(MethodDescriptor.MethodType.CLIENT_STREAMING)
                    .setFullMethodName(
                            AccessLogServiceGrpc.getStreamAccessLogsMethod().getFullMethodName())
                    .setRequestMarshaller(new RawBytes())
                    .setResponseMarshaller(
                            AccessLogServiceGrpc.getStreamAccessLogsMethod().getResponseMarshaller())
                    .build();

    private final FlowHub hub;
    private final String fallbackNode;
    private final Clock clock;
    private final BlockingQueue<FlowEvent> queue;
    private final Thread publisher;
    private volatile MeshState state = MeshState.EMPTY;
    /** Lookups for {@link #state}, built when the first entry after an apply needs them. */
    private volatile AccessLogEvents events;

    private final AtomicLong streams = new AtomicLong(),
            entries = new AtomicLong(),
            published = new AtomicLong(),
            malformed = new AtomicLong(),
            unusable = new AtomicLong(),
            ignored = new AtomicLong(),
            lost = new AtomicLong();

    /** {@code fallbackNode}: the node of a stream whose first message lacks the identifier (the dataplane's own node, or empty). */
    public AccessLogReceiver(FlowHub hub, String fallbackNode, Clock clock) {
        this(hub, fallbackNode, clock, QUEUE_CAPACITY);
    }

    AccessLogReceiver(FlowHub hub, String fallbackNode, Clock clock, int capacity) {
        this.hub = hub;
        this.fallbackNode = fallbackNode.isEmpty() ? "unknown" : fallbackNode;
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.publisher =
                Thread.ofPlatform().daemon().name("envoy-access-log-flows").start(this::publishLoop);
    }

    /** The state entries are resolved against from now on. */
    public void applied(MeshState newState) {
        state = newState;
    }

    public AccessLogStats stats() {
        return new AccessLogStats(
                streams.get(),
                entries.get(),
                published.get(),
                malformed.get(),
                unusable.get(),
                ignored.get(),
                lost.get());
    }

    @Override
    public ServerServiceDefinition bindService() {
        return ServerServiceDefinition.builder(new ServiceDescriptor(AccessLogServiceGrpc.SERVICE_NAME, STREAM))
                .addMethod(STREAM, ServerCalls.asyncClientStreamingCall(Stream::new))
                .build();
    }

    @Override
    public void close() {
        publisher.interrupt();
        try {
            publisher.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void publishLoop() {
        try {
            while (true) {
                FlowEvent e = queue.take();
                hub.publish(e); // FlowHub catches what subscribers throw
                published.incrementAndGet();
            }
        } catch (InterruptedException e) {
            // closed
        }
    }

    private AccessLogEvents events() {
        MeshState s = state;
        AccessLogEvents current = events;
        if (current == null || current.state() != s) events = current = new AccessLogEvents(s, clock);
        return current;
    }

    private void offer(Optional<FlowEvent> event) {
        if (event.isEmpty()) {
            ignored.incrementAndGet();
            return;
        }
        if (!queue.offer(event.get())) {
            lost.incrementAndGet();
            hub.lost(1);
        }
    }

    /** One proxy's stream. gRPC delivers a call's messages one at a time, so its fields need no locking. */
    private final class Stream implements StreamObserver<byte[]> {
        private final StreamObserver<StreamAccessLogsResponse> response;
        private String node;

        Stream(StreamObserver<StreamAccessLogsResponse> response) {
            this.response = response;
            streams.incrementAndGet();
        }

        @Override
        public void onNext(byte[] bytes) {
            StreamAccessLogsMessage message;
            try {
                message = StreamAccessLogsMessage.parseFrom(bytes);
            } catch (InvalidProtocolBufferException e) {
                malformed.incrementAndGet();
                LOG.warn(
                        "access-log stream of node {}: skipped a message of {} bytes that does not parse: {}",
                        node == null ? "(not yet identified)" : node,
                        bytes.length,
                        e.getMessage());
                return;
            }
            if (message.hasIdentifier()) {
                node = NodeSnapshots.group(message.getIdentifier().getNode().getId());
                if (node.isEmpty()) node = fallbackNode;
            } else if (node == null) {
                malformed.incrementAndGet();
                LOG.warn(
                        "access-log stream opened without an identifier; its entries are reported for node {}",
                        fallbackNode);
                node = fallbackNode;
            }
            AccessLogEvents events = events();
            for (HTTPAccessLogEntry e : message.getHttpLogs().getLogEntryList()) {
                entries.incrementAndGet();
                try {
                    offer(events.http(node, e));
                } catch (RuntimeException ex) { // AccessLogEvents.UnusableEntry, or a value nodemesh did not foresee
                    unusable(ex);
                }
            }
            for (TCPAccessLogEntry e : message.getTcpLogs().getLogEntryList()) {
                entries.incrementAndGet();
                try {
                    offer(events.tcp(node, e));
                } catch (RuntimeException ex) { // AccessLogEvents.UnusableEntry, or a value nodemesh did not foresee
                    unusable(ex);
                }
            }
        }

        private void unusable(RuntimeException e) {
            unusable.incrementAndGet();
            if (e instanceof AccessLogEvents.UnusableEntry) {
                LOG.warn("access-log stream of node {}: skipped an entry: {}", node, e.getMessage());
            } else {
                LOG.warn("access-log stream of node {}: skipped an entry that could not be read", node, e);
            }
        }

        @Override
        public void onError(Throwable t) {
            // Envoy resets the stream when it shuts down or the xDS cluster reconnects; nothing to answer.
            LOG.debug("access-log stream of node {} ended: {}", node, t.toString());
        }

        @Override
        public void onCompleted() {
            response.onNext(StreamAccessLogsResponse.getDefaultInstance());
            response.onCompleted();
        }
    }

    /** The request marshaller: bytes as they came, parsed by the stream so a bad one can be skipped. */
    private static final class RawBytes implements MethodDescriptor.Marshaller<byte[]> {
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
