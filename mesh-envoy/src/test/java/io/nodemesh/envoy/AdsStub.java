package io.nodemesh.envoy;

import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A raw ADS client: speaks the xDS protocol by hand over one stream, so tests can check what gRPC's client does not
 * exercise — SDS, the delta protocol, NACKs, versions and nonces.
 */
final class AdsStub implements AutoCloseable {
    private final ManagedChannel channel;
    private final Node node;
    private final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    private StreamObserver<DiscoveryRequest> sotw;
    private StreamObserver<DeltaDiscoveryRequest> delta;

    AdsStub(int port, String nodeId) {
        this(port, nodeId, InsecureChannelCredentials.create());
    }

    AdsStub(int port, String nodeId, io.grpc.ChannelCredentials credentials) {
        this.channel = Grpc.newChannelBuilder("127.0.0.1:" + port, credentials).build();
        this.node = Node.newBuilder().setId(nodeId).setCluster("test").build();
    }

    private <T> StreamObserver<T> collector() {
        return new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                received.add(value);
            }

            @Override
            public void onError(Throwable t) {
                received.add(t);
            }

            @Override
            public void onCompleted() {}
        };
    }

    /** A state-of-the-world request: ACK when {@code error} is null, NACK otherwise. */
    void request(String typeUrl, List<String> names, String version, String nonce, String error) {
        if (sotw == null) sotw = AggregatedDiscoveryServiceGrpc.newStub(channel).streamAggregatedResources(collector());
        var r = DiscoveryRequest.newBuilder()
                .setNode(node)
                .setTypeUrl(typeUrl)
                .addAllResourceNames(names)
                .setVersionInfo(version)
                .setResponseNonce(nonce);
        if (error != null) r.setErrorDetail(Status.newBuilder().setCode(3).setMessage(error));
        sotw.onNext(r.build());
    }

    void delta(DeltaDiscoveryRequest.Builder r) {
        if (delta == null)
            delta = AggregatedDiscoveryServiceGrpc.newStub(channel).deltaAggregatedResources(collector());
        delta.onNext(r.setNode(node).build());
    }

    DiscoveryResponse next() {
        return (DiscoveryResponse) take();
    }

    DeltaDiscoveryResponse nextDelta() {
        return (DeltaDiscoveryResponse) take();
    }

    /** The error that ended the stream (fails if a response came instead). */
    Throwable failure() {
        try {
            Object o = received.poll(30, TimeUnit.SECONDS);
            if (o instanceof Throwable t) return t;
            throw new AssertionError("expected the stream to fail, got " + o);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private Object take() {
        try {
            Object o = received.poll(30, TimeUnit.SECONDS);
            if (o == null) throw new AssertionError("no xDS response");
            if (o instanceof Throwable t) throw new AssertionError("stream failed", t);
            return o;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (sotw != null) sotw.onCompleted();
        if (delta != null) delta.onCompleted();
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
