package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;

/**
 * In mTLS mode the node Envoy and proxyless gRPC cannot share a cluster (their certificates come from SDS and from a
 * certificate provider respectively, see {@link TlsContexts}), so the node proxy gets its own copies: a cluster per
 * service port named {@code node-proxy~<cluster>} that reads the same {@code ClusterLoadAssignment} (EDS
 * {@code service_name}, so endpoints are not duplicated), and route configurations {@code node-proxy~<route>} naming
 * those clusters, which its outbound filter chains fetch. Without mTLS both share the plain resources.
 */
final class NodeProxyResources {
    static final String PREFIX = "node-proxy~";

    private NodeProxyResources() {}

    static String name(String sharedName) {
        return PREFIX + sharedName;
    }

    /** The node proxy's copy of {@code shared}: its own name, the shared assignment, {@code tls} (or none). */
    static Cluster cluster(Cluster shared, TransportSocket tls) {
        var b = shared.toBuilder()
                .setName(name(shared.getName()))
                .setEdsClusterConfig(shared.getEdsClusterConfig().toBuilder().setServiceName(shared.getName()));
        if (tls == null) b.clearTransportSocket();
        else b.setTransportSocket(tls);
        return b.build();
    }

    /**
     * The outbound filter chain {@code chain} with its connection manager fetching the node proxy's copy of its route
     * (a chain exists only for the node proxy; it is rewritten rather than built twice so that its translation stays in
     * one place).
     */
    static FilterChain chain(FilterChain chain) {
        var b = chain.toBuilder();
        for (Filter.Builder f : b.getFiltersBuilderList()) {
            if (!f.getTypedConfig().is(HttpConnectionManager.class)) continue;
            try {
                HttpConnectionManager hcm = f.getTypedConfig().unpack(HttpConnectionManager.class);
                if (!hcm.hasRds()) continue;
                f.setTypedConfig(Any.pack(hcm.toBuilder()
                        .setRds(hcm.getRds().toBuilder()
                                .setRouteConfigName(name(hcm.getRds().getRouteConfigName())))
                        .build()));
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalStateException(
                        "filter chain " + chain.getName() + " holds an unreadable connection manager", e);
            }
        }
        return b.build();
    }

    /** {@code shared} renamed, every cluster it routes to replaced by the node proxy's copy. */
    static RouteConfiguration route(RouteConfiguration shared) {
        var rc = shared.toBuilder().setName(name(shared.getName()));
        for (VirtualHost.Builder vh : rc.getVirtualHostsBuilderList()) {
            for (Route.Builder r : vh.getRoutesBuilderList()) {
                if (!r.hasRoute()) continue;
                RouteAction.Builder a = r.getRouteBuilder();
                if (a.getClusterSpecifierCase() == RouteAction.ClusterSpecifierCase.CLUSTER)
                    a.setCluster(name(a.getCluster()));
                if (a.hasWeightedClusters()) {
                    for (WeightedCluster.ClusterWeight.Builder w :
                            a.getWeightedClustersBuilder().getClustersBuilderList()) {
                        w.setName(name(w.getName()));
                    }
                }
            }
        }
        return rc.build();
    }
}
