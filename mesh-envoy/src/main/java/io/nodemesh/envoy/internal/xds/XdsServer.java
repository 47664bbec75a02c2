package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.controlplane.cache.Resources;
import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.nodemesh.envoy.Nack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS server (state-of-the-world and delta, plus the per-type services) over gRPC, serving {@link NodeSnapshots}:
 * nodemesh's own streams ({@link SotwStreams}, {@link DeltaStreams}), and java-control-plane's for the per-type delta
 * services only. A NACK is reported and rolls the client's node back to what it last accepted.
 */
public final class XdsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

    private final Server server;
    private final StreamExecutors senders = new StreamExecutors();
    private final NodeSnapshots snapshots;
    private final Consumer<Nack> nacks;
    private final Clock clock;
    /** Per per-type delta stream (java-control-plane's): its node, and per type the last response's version and nonce. */
    private final Map<Long, StreamState> streams = new ConcurrentHashMap<>();
    /** Authenticates clients by node over mTLS; null in plain text. */
    private final NodeIdentity identity;

    private final ClientLedger ledger = new ClientLedger();

    /**
     * {@code more}: other gRPC services to serve on the same port (e.g. access-log receivers Envoy reaches through the xDS
     * cluster). {@code tls}: mutual TLS with clients authenticated by node ({@link NodeIdentity}) on every service, or
     * null for plain text without authentication (local development only).
     */
    public XdsServer(
            String host,
            int port,
            XdsTls tls,
            NodeSnapshots snapshots,
            Consumer<Nack> nacks,
            Clock clock,
            java.util.List<io.grpc.BindableService> more)
            throws IOException {
        this.snapshots = snapshots;
        this.nacks = nacks;
        this.clock = clock;
        // Nodes share most resource objects, so each is packed into an Any once per apply (PackedResources). Only the
        // per-type delta services are still java-control-plane's.
        V3DiscoveryServer discovery = new V3DiscoveryServer(
                java.util.List.of(new Callbacks()), snapshots.cache(), senders, snapshots.packed());
        DeltaStreams delta =
                new DeltaStreams(snapshots.cache(), snapshots.packed(), senders, this::deltaRejected, ledger);
        SotwStreams sotw = new SotwStreams(
                snapshots.cache(),
                snapshots.packed(),
                senders,
                this::sotwRejected,
                ledger,
                delta.budget(),
                delta.largeResponse());
        InetSocketAddress address = new InetSocketAddress(host, port);
        NettyServerBuilder builder = tls == null
                ? NettyServerBuilder.forAddress(address)
                : NettyServerBuilder.forAddress(address, tls.credentials());
        this.identity = tls == null ? null : new NodeIdentity();
        if (identity != null) builder.intercept(identity);
        more.forEach(builder::addService);
        builder.addService(ours(discovery.getAggregatedDiscoveryServiceImpl().bindService(), sotw, delta, null));
        for (var perType : java.util.List.of(
                Map.entry(discovery.getClusterDiscoveryServiceImpl().bindService(), Resources.V3.CLUSTER_TYPE_URL),
                Map.entry(discovery.getEndpointDiscoveryServiceImpl().bindService(), Resources.V3.ENDPOINT_TYPE_URL),
                Map.entry(discovery.getListenerDiscoveryServiceImpl().bindService(), Resources.V3.LISTENER_TYPE_URL),
                Map.entry(discovery.getRouteDiscoveryServiceImpl().bindService(), Resources.V3.ROUTE_TYPE_URL),
                Map.entry(discovery.getSecretDiscoveryServiceImpl().bindService(), Resources.V3.SECRET_TYPE_URL))) {
            builder.addService(ours(perType.getKey(), sotw, null, perType.getValue()));
        }
        this.server = builder.build().start();
    }

    /**
     * {@code service} with its state-of-the-world stream replaced by nodemesh's ({@link SotwStreams}; requests read by
     * {@link SharedNamesMarshaller}) and, over ADS, its delta stream too ({@link DeltaStreams}); the responses of both
     * are written by {@link SharedBodyMarshaller}, large ones under their one {@link SendBudget} ({@link PacedSender}).
     * {@code only}: the type of a per-type service, null for ADS. Other methods (per-type delta, fetch) stay
     * java-control-plane's.
     */
    @SuppressWarnings("unchecked")
    private static ServerServiceDefinition ours(
            ServerServiceDefinition service, SotwStreams sotw, DeltaStreams delta, String only) {
        ServerServiceDefinition.Builder b =
                ServerServiceDefinition.builder(service.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
            MethodDescriptor<?, ?> d = m.getMethodDescriptor();
            boolean stream = d.getType() == MethodDescriptor.MethodType.BIDI_STREAMING;
            if (stream
                    && d.getResponseMarshaller() instanceof MethodDescriptor.PrototypeMarshaller<?> p
                    && p.getMessagePrototype() instanceof DiscoveryResponse) {
                var typed = (MethodDescriptor<DiscoveryRequest, DiscoveryResponse>) d;
                b.addMethod(ServerMethodDefinition.create(
                        typed.toBuilder(new SharedNamesMarshaller(), SharedBodyMarshaller.sotw())
                                .build(),
                        sotw.handler(only)));
            } else if (stream && delta != null) {
                var typed = (MethodDescriptor<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) d;
                b.addMethod(ServerMethodDefinition.create(
                        typed.toBuilder()
                                .setResponseMarshaller(SharedBodyMarshaller.delta())
                                .build(),
                        delta.handler()));
            } else {
                b.addMethod(m);
            }
        }
        return b.build();
    }

    /** What each connected client was sent and accepted. */
    public ClientLedger ledger() {
        return ledger;
    }

    /** xDS calls refused by node identity (PERMISSION_DENIED) since start; 0 in plain text. */
    public long deniedCalls() {
        return identity == null ? 0 : identity.denied();
    }

    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            senders.close();
        }
    }

    /** A state-of-the-world client rejected {@code rejected} of a type: roll its node back to what it runs, report it. */
    private void sotwRejected(String group, String typeUrl, String accepted, String rejected, String detail) {
        String serving = snapshots.rollback(group, typeUrl, accepted, rejected);
        report(new Nack(clock.instant(), group, typeUrl, rejected, detail, serving, false));
    }

    /** A delta client rejected {@code version} of a type: roll its node back and report it. */
    private void deltaRejected(String group, String typeUrl, String version, String detail) {
        String serving = snapshots.rollback(group, typeUrl, "", version);
        report(new Nack(clock.instant(), group, typeUrl, version, detail, serving, true));
    }

    private void report(Nack nack) {
        LOG.warn("{}", nack);
        try {
            nacks.accept(nack);
        } catch (RuntimeException e) {
            LOG.warn("NACK listener failed on {}", nack, e);
        }
    }

    private record Sent(String nonce, String version) {}

    private static final class StreamState {
        volatile String node = "";
        final Map<String, Sent> lastSent = new ConcurrentHashMap<>();
    }

    private final class Callbacks implements DiscoveryServerCallbacks {
        @Override
        public void onStreamOpen(long streamId, String typeUrl) {
            streams.put(streamId, new StreamState());
        }

        @Override
        public void onStreamClose(long streamId, String typeUrl) {
            streams.remove(streamId);
        }

        @Override
        public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
            streams.remove(streamId);
        }

        @Override
        public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
            // nodemesh's own state-of-the-world streams serve every SotW method (SotwStreams); none come here
        }

        @Override
        public void onV3StreamDeltaRequest(long streamId, DeltaDiscoveryRequest request) {
            StreamState s = stream(streamId);
            if (request.hasNode())
                s.node = NodeSnapshots.group(request.getNode().getId());
            if (!request.hasErrorDetail()) return;
            Sent sent = s.lastSent.get(request.getTypeUrl());
            String rejected = sent != null && sent.nonce.equals(request.getResponseNonce()) ? sent.version : "";
            String serving = snapshots.rollback(s.node, request.getTypeUrl(), "", rejected);
            report(new Nack(
                    clock.instant(),
                    s.node,
                    request.getTypeUrl(),
                    rejected,
                    request.getErrorDetail().getMessage(),
                    serving,
                    true));
        }

        @Override
        public void onV3StreamDeltaResponse(
                long streamId, DeltaDiscoveryRequest request, DeltaDiscoveryResponse response) {
            stream(streamId)
                    .lastSent
                    .put(response.getTypeUrl(), new Sent(response.getNonce(), response.getSystemVersionInfo()));
        }

        private StreamState stream(long id) {
            return streams.computeIfAbsent(id, k -> new StreamState());
        }
    }
}
