package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.controlplane.server.DiscoveryServerCallbacks;
import io.envoyproxy.controlplane.server.V3DiscoveryServer;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Server;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.nodemesh.envoy.Nack;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ADS server (state-of-the-world and delta, plus the per-type services) over gRPC, serving {@link NodeSnapshots}.
 * It watches requests for NACKs: each is reported and rolls the client's node back to what it last accepted.
 */
public final class XdsServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(XdsServer.class);

    private final Server server;
    private final StreamExecutors senders = new StreamExecutors();
    private final NodeSnapshots snapshots;
    private final Consumer<Nack> nacks;
    private final Clock clock;
    /** Per stream: the node it speaks for, and per type the version of the last response and its nonce. */
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
        // Nodes share most resource objects, so each is packed into an Any once per apply (PackedResources).
        V3DiscoveryServer discovery = new V3DiscoveryServer(
                java.util.List.of(new Callbacks()), snapshots.cache(), senders, snapshots.packed());
        DeltaStreams delta =
                new DeltaStreams(snapshots.cache(), snapshots.packed(), senders, this::deltaRejected, ledger);
        InetSocketAddress address = new InetSocketAddress(host, port);
        NettyServerBuilder builder = tls == null
                ? NettyServerBuilder.forAddress(address)
                : NettyServerBuilder.forAddress(address, tls.credentials());
        this.identity = tls == null ? null : new NodeIdentity();
        if (identity != null) builder.intercept(identity);
        more.forEach(builder::addService);
        this.server = builder.addService(
                        sharing(discovery.getAggregatedDiscoveryServiceImpl().bindService(), delta, senders))
                .addService(discovery.getClusterDiscoveryServiceImpl())
                .addService(discovery.getEndpointDiscoveryServiceImpl())
                .addService(discovery.getListenerDiscoveryServiceImpl())
                .addService(discovery.getRouteDiscoveryServiceImpl())
                .addService(discovery.getSecretDiscoveryServiceImpl())
                .build()
                .start();
    }

    /**
     * The ADS service: state of the world is java-control-plane's, with requests read by {@link SharedNamesMarshaller};
     * delta is nodemesh's own ({@link DeltaStreams}); the responses of both are written by {@link SharedBodyMarshaller},
     * large ones under the one {@link SendBudget} of both ({@link PacedCall} for state of the world).
     */
    @SuppressWarnings("unchecked")
    private static ServerServiceDefinition sharing(
            ServerServiceDefinition ads, DeltaStreams delta, StreamExecutors senders) {
        String sotw = AggregatedDiscoveryServiceGrpc.getStreamAggregatedResourcesMethod()
                .getFullMethodName();
        String deltaName = AggregatedDiscoveryServiceGrpc.getDeltaAggregatedResourcesMethod()
                .getFullMethodName();
        ServerServiceDefinition.Builder b =
                ServerServiceDefinition.builder(ads.getServiceDescriptor().getName());
        for (ServerMethodDefinition<?, ?> m : ads.getMethods()) {
            String name = m.getMethodDescriptor().getFullMethodName();
            if (name.equals(sotw)) {
                var typed = (ServerMethodDefinition<DiscoveryRequest, DiscoveryResponse>) m;
                b.addMethod(ServerMethodDefinition.create(
                        typed.getMethodDescriptor().toBuilder()
                                .setRequestMarshaller(new SharedNamesMarshaller())
                                .setResponseMarshaller(SharedBodyMarshaller.sotw())
                                .build(),
                        PacedCall.pacing(
                                typed.getServerCallHandler(),
                                delta.budget(),
                                senders,
                                DiscoveryResponse::getResourcesCount,
                                delta.largeResponse())));
            } else if (name.equals(deltaName)) {
                var typed = (ServerMethodDefinition<DeltaDiscoveryRequest, DeltaDiscoveryResponse>) m;
                b.addMethod(ServerMethodDefinition.create(
                        typed.getMethodDescriptor().toBuilder()
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

    /** A delta client rejected {@code version} of a type: roll its node back and report it. */
    private void deltaRejected(String group, String typeUrl, String version, String detail) {
        String serving = snapshots.rollback(group, typeUrl, "", version);
        Nack nack = new Nack(clock.instant(), group, typeUrl, version, detail, serving, true);
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
            ledger.closed(streamId);
            snapshots.streamClosed(streamId);
        }

        @Override
        public void onStreamCloseWithError(long streamId, String typeUrl, Throwable error) {
            streams.remove(streamId);
            ledger.closed(streamId);
            snapshots.streamClosed(streamId);
        }

        @Override
        public void onV3StreamRequest(long streamId, DiscoveryRequest request) {
            snapshots.streamRequest(streamId);
            StreamState s = stream(streamId);
            if (request.hasNode())
                s.node = NodeSnapshots.group(request.getNode().getId());
            // The count, not the names: a client may ask for 10,000 of them in every request.
            LOG.debug(
                    "stream {} node {} asks {} ({} names) version '{}' nonce '{}'",
                    streamId,
                    s.node,
                    request.getTypeUrl(),
                    request.getResourceNamesCount(),
                    request.getVersionInfo(),
                    request.getResponseNonce());
            ledger.answered(
                    streamId,
                    request.getTypeUrl(),
                    request.getResponseNonce(),
                    request.hasErrorDetail()
                            ? Optional.of(request.getErrorDetail().getMessage())
                            : Optional.empty());
            if (!request.hasErrorDetail()) return;
            Sent sent = s.lastSent.get(request.getTypeUrl());
            String rejected = sent != null && sent.nonce.equals(request.getResponseNonce()) ? sent.version : "";
            String serving = snapshots.rollback(s.node, request.getTypeUrl(), request.getVersionInfo(), rejected);
            report(new Nack(
                    clock.instant(),
                    s.node,
                    request.getTypeUrl(),
                    rejected,
                    request.getErrorDetail().getMessage(),
                    serving,
                    false));
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
        public void onV3StreamResponse(long streamId, DiscoveryRequest request, DiscoveryResponse response) {
            StreamState s = stream(streamId);
            s.lastSent.put(response.getTypeUrl(), new Sent(response.getNonce(), response.getVersionInfo()));
            ledger.sent(streamId, s.node, response.getTypeUrl(), response.getVersionInfo(), response.getNonce());
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

        private void report(Nack nack) {
            LOG.warn("{}", nack);
            try {
                nacks.accept(nack);
            } catch (RuntimeException e) {
                LOG.warn("NACK listener failed on {}", nack, e);
            }
        }
    }
}
