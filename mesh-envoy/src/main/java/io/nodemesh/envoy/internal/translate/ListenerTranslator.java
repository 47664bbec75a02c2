package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.accesslog.v3.AccessLog;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.ApiListener;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.listener.v3.ListenerFilter;
import io.envoyproxy.envoy.config.route.v3.NonForwardingAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.util.ArrayList;
import java.util.List;

/**
 * Listeners in two styles for the same routes:
 * <ul>
 *   <li>the node Envoy's one transparent listener: connections the eBPF connect hook steered to it keep their original
 *       destination (recovered by the {@code original_dst} listener filter), which selects a filter chain per service
 *       VIP and port; anything else is passed through untouched;</li>
 *   <li>gRPC-style {@code api_listener}s named after each service's host, for proxyless gRPC clients
 *       ({@code xds:///name.namespace}); gRPC servers get server listeners (gRFC A36) that carry the RBAC.</li>
 * </ul>
 */
final class ListenerTranslator {
    static final String HCM = "envoy.filters.network.http_connection_manager";
    static final String ROUTER = "envoy.filters.http.router";

    private ListenerTranslator() {}

    /** The node proxy's transparent listener on {@code port}: one filter chain per VIP and port of every L7 service. */
    static Listener outbound(int port, List<FilterChain> serviceChains, List<AccessLog> passthroughLogs) {
        return Listener.newBuilder()
                .setName(Names.OUTBOUND_LISTENER)
                .setAddress(EndpointTranslator.address("0.0.0.0", port))
                .addListenerFilters(ListenerFilter.newBuilder()
                        .setName("envoy.filters.listener.original_dst")
                        .setTypedConfig(Any.pack(OriginalDst.getDefaultInstance())))
                .addAllFilterChains(serviceChains)
                .setDefaultFilterChain(FilterChain.newBuilder()
                        .setName("passthrough")
                        .addFilters(Filter.newBuilder()
                                .setName("envoy.filters.network.tcp_proxy")
                                .setTypedConfig(Any.pack(TcpProxy.newBuilder()
                                        .setStatPrefix("passthrough")
                                        .setCluster(Names.PASSTHROUGH_CLUSTER)
                                        .addAllAccessLog(passthroughLogs)
                                        .build()))))
                .build();
    }

    static FilterChain serviceChain(
            Service s, ServicePort p, List<HttpFilter> rbac, boolean faults, List<AccessLog> accessLogs) {
        var match = FilterChainMatch.newBuilder().setDestinationPort(com.google.protobuf.UInt32Value.of(p.port()));
        s.vips().forEach(v -> match.addPrefixRanges(Protos.host(v)));
        return FilterChain.newBuilder()
                .setName(Names.route(s, p))
                .setFilterChainMatch(match)
                .addFilters(hcm(
                        Names.route(s, p),
                        ResilienceTranslator.idle(s, rdsManager(Names.route(s, p), rbac, faults)).toBuilder()
                                .addAllAccessLog(accessLogs)
                                .build()))
                .build();
    }

    /** A proxyless gRPC client's listener: the same routes, reached by name instead of by address. */
    static Listener api(String name, Service s, ServicePort p, boolean faults) {
        return Listener.newBuilder()
                .setName(name)
                .setApiListener(ApiListener.newBuilder()
                        .setApiListener(Any.pack(rdsManager(Names.route(s, p), List.of(), faults))))
                .build();
    }

    /** One backend address served by a proxyless gRPC server: its policy and, with mTLS, its identity. */
    record ServedAddress(String ip, String host, List<HttpFilter> rbac, String identityForTls) {}

    /**
     * The listener proxyless gRPC servers on {@code port} fetch. gRPC names it after the wildcard address it listens on
     * ({@code 0.0.0.0:<port>}), whatever address it was bound to, so one listener per port carries a filter chain per
     * backend address on the node (matched by destination address): no routing (the server serves what it has), the
     * service's RBAC, and, with mTLS, a client certificate required, both sides' certificates from the server's
     * certificate provider (its bootstrap's, pointing at the workload's credential files).
     */
    static Listener grpcServer(int port, List<ServedAddress> served) {
        var listener = Listener.newBuilder()
                .setName(Names.grpcServerListener("0.0.0.0", port))
                .setAddress(EndpointTranslator.address("0.0.0.0", port));
        for (ServedAddress a : served) {
            RouteConfiguration inline = RouteConfiguration.newBuilder()
                    .setName("inbound|" + Names.hostPort(a.ip(), port))
                    .addVirtualHosts(VirtualHost.newBuilder()
                            .setName(a.host())
                            .addDomains("*")
                            .addRoutes(Route.newBuilder()
                                    .setName("serve")
                                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                                    .setNonForwardingAction(NonForwardingAction.getDefaultInstance())))
                    .build();
            var manager = HttpConnectionManager.newBuilder()
                    .setStatPrefix("inbound")
                    .setRouteConfig(inline)
                    .addAllHttpFilters(a.rbac())
                    .addHttpFilters(router())
                    .build();
            // gRPC ignores chains that match on destination port, so match on the address alone.
            var chain = FilterChain.newBuilder()
                    .setName("inbound|" + Names.hostPort(a.ip(), port))
                    .setFilterChainMatch(FilterChainMatch.newBuilder().addPrefixRanges(Protos.host(a.ip())))
                    .addFilters(hcm("inbound", manager));
            if (a.identityForTls() != null) chain.setTransportSocket(downstreamTls(a.identityForTls()));
            listener.addFilterChains(chain);
        }
        return listener.build();
    }

    /**
     * The workload's own certificate and the mesh CA from the gRPC server's certificate provider (gRPC has no SDS, see
     * {@link TlsContexts}); {@code identity} is the workload the server process must hold the credentials of.
     */
    static TransportSocket downstreamTls(String identity) {
        return TlsContexts.grpcServer();
    }

    /** Policy first (a denied request is not worth delaying), then faults of the matched route, then routing. */
    private static HttpConnectionManager rdsManager(String routeName, List<HttpFilter> rbac, boolean faults) {
        List<HttpFilter> filters = new ArrayList<>(rbac);
        if (faults) filters.add(FaultTranslator.filter());
        filters.add(router());
        // AUTO (Envoy's default, said here on purpose): HTTP/1.1 or, from its preface, cleartext HTTP/2 (h2c) as gRPC
        // clients send it.
        return HttpConnectionManager.newBuilder()
                .setCodecType(HttpConnectionManager.CodecType.AUTO)
                .setStatPrefix(routeName)
                .setRds(Rds.newBuilder().setRouteConfigName(routeName).setConfigSource(Protos.ads()))
                .addAllHttpFilters(filters)
                .build();
    }

    private static Filter hcm(String name, HttpConnectionManager manager) {
        return Filter.newBuilder()
                .setName(HCM)
                .setTypedConfig(Any.pack(manager))
                .build();
    }

    private static HttpFilter router() {
        return HttpFilter.newBuilder()
                .setName(ROUTER)
                .setTypedConfig(Any.pack(Router.getDefaultInstance()))
                .build();
    }
}
