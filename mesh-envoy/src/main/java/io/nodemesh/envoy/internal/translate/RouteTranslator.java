package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.VirtualHost;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import io.nodemesh.api.state.WeightedBackend;
import java.util.List;
import java.util.Map;

/**
 * The route configuration of one L7 service port: the rules of every {@link HttpRoute} of the service in order (first
 * match wins), or, when it has none, everything to the service itself. Requests no rule matches get a 404, as in the
 * Gateway API. A rule's header edits and redirect are the route's ({@link FilterTranslator}).
 */
final class RouteTranslator {
    private RouteTranslator() {}

    static RouteConfiguration routeConfiguration(MeshState state, Service s, ServicePort p) {
        List<HttpRoute> routes =
                state.routes().stream().filter(r -> r.service().equals(s.key())).toList();
        var vhost = VirtualHost.newBuilder().setName(Names.host(s)).addDomains("*");
        if (routes.isEmpty()) {
            vhost.addRoutes(Route.newBuilder()
                    .setName("default")
                    .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                    .setRoute(RouteAction.newBuilder().setCluster(Names.cluster(s.key(), p.port()))));
        }
        for (HttpRoute r : routes) {
            for (int i = 0; i < r.rules().size(); i++) {
                HttpRouteRule rule = r.rules().get(i);
                RouteAction action = rule.redirect().isPresent() ? null : action(rule, p.port());
                List<HttpMatch> matches =
                        rule.matches().isEmpty() ? List.of(HttpMatch.path(PathMatch.ANY)) : rule.matches();
                var fault = FaultTranslator.perRoute(rule.fault());
                for (int m = 0; m < matches.size(); m++) {
                    var route = Route.newBuilder()
                            .setName(r.key() + "/rules[" + i + "]/matches[" + m + "]")
                            .setMatch(match(matches.get(m)));
                    if (action != null) route.setRoute(action);
                    FilterTranslator.apply(rule.filters(), route);
                    fault.ifPresent(f -> route.putTypedPerFilterConfig(FaultTranslator.FAULT, f));
                    vhost.addRoutes(route);
                }
            }
        }
        return RouteConfiguration.newBuilder()
                .setName(Names.route(s, p))
                .addVirtualHosts(vhost)
                .build();
    }

    static RouteMatch match(HttpMatch m) {
        var b = RouteMatch.newBuilder();
        PathMatch path = m.path();
        switch (path.kind()) {
            case EXACT -> b.setPath(path.value());
            case PREFIX -> b.setPrefix(path.value());
            case REGEX -> b.setSafeRegex(RegexMatcher.newBuilder().setRegex(path.value()));
        }
        if (!m.method().isEmpty()) b.addHeaders(header(":method", m.method()));
        for (Map.Entry<String, String> h : m.headers().entrySet()) b.addHeaders(header(h.getKey(), h.getValue()));
        return b.build();
    }

    static HeaderMatcher header(String name, String value) {
        return HeaderMatcher.newBuilder()
                .setName(name)
                .setStringMatch(StringMatcher.newBuilder().setExact(value))
                .build();
    }

    private static RouteAction action(HttpRouteRule rule, int ownPort) {
        var a = RouteAction.newBuilder();
        List<WeightedBackend> backends =
                rule.backends().stream().filter(b -> b.weight() > 0).toList();
        if (backends.size() == 1) {
            a.setCluster(cluster(backends.getFirst(), ownPort));
        } else {
            var wc = WeightedCluster.newBuilder();
            for (WeightedBackend b : backends) {
                wc.addClusters(WeightedCluster.ClusterWeight.newBuilder()
                        .setName(cluster(b, ownPort))
                        .setWeight(UInt32Value.of(b.weight())));
            }
            a.setWeightedClusters(wc);
        }
        if (rule.timeout().isPositive()) {
            a.setTimeout(Protos.duration(rule.timeout()));
            // Envoy reads the timeout above; proxyless gRPC reads only the stream duration (gRFC A31), so give both.
            a.setMaxStreamDuration(
                    RouteAction.MaxStreamDuration.newBuilder().setMaxStreamDuration(Protos.duration(rule.timeout())));
        }
        if (rule.retries().attempts() > 0) {
            var retry = RetryPolicy.newBuilder()
                    .setNumRetries(UInt32Value.of(rule.retries().attempts()))
                    .setRetryOn(
                            rule.retries().retryOn().isEmpty()
                                    ? "5xx,connect-failure,unavailable"
                                    : String.join(",", rule.retries().retryOn()));
            if (rule.retries().perTryTimeout().isPositive())
                retry.setPerTryTimeout(Protos.duration(rule.retries().perTryTimeout()));
            a.setRetryPolicy(retry);
        }
        return a.build();
    }

    private static String cluster(WeightedBackend b, int ownPort) {
        return Names.cluster(b.service(), b.port() == 0 ? ownPort : b.port());
    }
}
