package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.cluster.v3.LoadBalancingPolicy;
import io.envoyproxy.envoy.config.core.v3.Http2ProtocolOptions;
import io.envoyproxy.envoy.config.core.v3.TypedExtensionConfig;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.nodemesh.api.state.LoadBalancing;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.List;

/**
 * One EDS cluster per TCP service port (speaking HTTP/2 to the backends when the port's {@code appProtocol} is HTTP/2 or
 * gRPC), plus the passthrough cluster of the outbound listener. */
final class ClusterTranslator {
    private ClusterTranslator() {}

    static Cluster cluster(Service s, ServicePort p) {
        return cluster(s, p, null);
    }

    /** With {@code tls} as its transport socket (mTLS mode, see {@link TlsContexts}), or plain text when null. */
    static Cluster cluster(Service s, ServicePort p, io.envoyproxy.envoy.config.core.v3.TransportSocket tls) {
        var b = Cluster.newBuilder()
                .setName(Names.cluster(s.key(), p.port()))
                .setType(Cluster.DiscoveryType.EDS)
                .setEdsClusterConfig(Cluster.EdsClusterConfig.newBuilder().setEdsConfig(Protos.ads()))
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5));
        // Round robin is the default lb_policy of Envoy and of gRPC: no policy sent, ~150 bytes less per cluster, a
        // quarter of a 10,000-service configuration.
        if (s.loadBalancing() != LoadBalancing.ROUND_ROBIN) b.setLoadBalancingPolicy(policy(s.loadBalancing()));
        if (tls != null) b.setTransportSocket(tls);
        if (p.appProtocol().http2()) b.putTypedExtensionProtocolOptions(HTTP_PROTOCOL_OPTIONS, HTTP2_UPSTREAM);
        ResilienceTranslator.cluster(s, p, b);
        return b.build();
    }

    /** The key Envoy looks up a cluster's upstream HTTP options under (the options' own type name). */
    static final String HTTP_PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";

    /**
     * HTTP/2 to every backend, whatever the client spoke: gRPC and h2 servers need it, and Envoy opens HTTP/1.1
     * upstream connections unless told otherwise. Proxyless gRPC ignores it (it is always HTTP/2).
     */
    private static final Any HTTP2_UPSTREAM = Any.pack(HttpProtocolOptions.newBuilder()
            .setExplicitHttpConfig(HttpProtocolOptions.ExplicitHttpConfig.newBuilder()
                    .setHttp2ProtocolOptions(Http2ProtocolOptions.getDefaultInstance()))
            .build());

    /**
     * The policy as a preference list: Envoy takes the first it knows, and so does proxyless gRPC (gRFC A52), which has
     * neither random nor maglev — so each is followed by the closest policy gRPC does have.
     */
    private static final java.util.Map<LoadBalancing, LoadBalancingPolicy> POLICIES =
            new java.util.EnumMap<>(LoadBalancing.class);

    static {
        for (LoadBalancing lb : LoadBalancing.values()) POLICIES.put(lb, buildPolicy(lb));
    }

    static LoadBalancingPolicy policy(LoadBalancing lb) {
        return POLICIES.get(lb);
    }

    private static LoadBalancingPolicy buildPolicy(LoadBalancing lb) {
        List<Message> prefs = switch (lb) {
            case RANDOM -> List.of(Random.getDefaultInstance(), RoundRobin.getDefaultInstance());
            case ROUND_ROBIN -> List.of(RoundRobin.getDefaultInstance());
            case MAGLEV -> List.of(Maglev.getDefaultInstance(), RingHash.getDefaultInstance());
        };
        var b = LoadBalancingPolicy.newBuilder();
        for (Message m : prefs) {
            b.addPolicies(LoadBalancingPolicy.Policy.newBuilder()
                    .setTypedExtensionConfig(TypedExtensionConfig.newBuilder()
                            .setName("envoy.load_balancing_policies."
                                    + snake(m.getDescriptorForType().getName()))
                            .setTypedConfig(Any.pack(m))));
        }
        return b.build();
    }

    /** Where a steered connection goes when no service chain matched: the address it was headed for. */
    static Cluster passthrough() {
        return Cluster.newBuilder()
                .setName(Names.PASSTHROUGH_CLUSTER)
                .setType(Cluster.DiscoveryType.ORIGINAL_DST)
                .setLbPolicy(Cluster.LbPolicy.CLUSTER_PROVIDED)
                .setConnectTimeout(com.google.protobuf.Duration.newBuilder().setSeconds(5))
                .build();
    }

    private static String snake(String camel) {
        return camel.replaceAll("([a-z])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
