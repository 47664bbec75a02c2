package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCMethodMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.GRPCRouteRule;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A Gateway API {@link GRPCRoute} attached to Services becomes MeshState routes. A gRPC call is an HTTP/2 POST to
 * {@code /<service>/<method>}, so a method match is a path match: service and method exact is an exact path, a
 * service alone a prefix {@code /<service>/}, a method alone or a regular expression a path expression. The backends
 * of a GRPCRoute are reached over HTTP/2 (the assembler marks their ports gRPC when they say nothing else).
 */
final class GatewayGrpcRouteReader {
    private static final String SUPPORTED_FILTERS = "RequestHeaderModifier and ResponseHeaderModifier";
    /** What one path segment of a gRPC method may hold, for expressions where service or method is left open. */
    private static final String SEGMENT = "[^/]+";
    /** Characters with a meaning in RE2, escaped when an exact name is put into an expression. */
    private static final Pattern RE2_META = Pattern.compile("([\\\\.+*?()|\\[\\]{}^$])");

    private GatewayGrpcRouteReader() {}

    static GatewayRead read(GRPCRoute route) {
        var spec = route.getSpec();
        return GatewayRouteSkeleton.read(
                "grpcroute",
                route.getMetadata(),
                spec != null,
                spec == null ? null : spec.getParentRefs(),
                spec == null ? null : spec.getRules(),
                GatewayGrpcRouteReader::rule);
    }

    private static void rule(
            GRPCRouteRule r, int index, String at, String ns, List<RoutePieces.Piece> out, List<Violation> violations) {
        List<HttpFilter> filters = new ArrayList<>();
        List<GRPCRouteFilter> specFilters = r.getFilters() == null ? List.of() : r.getFilters();
        for (int f = 0; f < specFilters.size(); f++) {
            GRPCRouteFilter filter = specFilters.get(f);
            String fat = at + ".filters[" + f + "]";
            String type = filter == null ? null : filter.getType();
            HttpFilter mapped = switch (type == null ? "" : type) {
                case "RequestHeaderModifier" ->
                    GatewayFilters.headers(filter.getRequestHeaderModifier(), true, fat, violations);
                case "ResponseHeaderModifier" ->
                    GatewayFilters.headers(filter.getResponseHeaderModifier(), false, fat, violations);
                default -> {
                    violations.add(GatewayFilters.unsupported(type, fat, SUPPORTED_FILTERS));
                    yield null;
                }
            };
            if (mapped != null) filters.add(mapped);
        }
        List<WeightedBackend> backends = new ArrayList<>();
        List<GRPCBackendRef> refs = r.getBackendRefs() == null ? List.of() : r.getBackendRefs();
        for (int b = 0; b < refs.size(); b++) {
            GRPCBackendRef ref = refs.get(b);
            String bat = at + ".backendRefs[" + b + "]";
            if (ref == null) {
                violations.add(new Violation(bat, "empty backendRef"));
                continue;
            }
            WeightedBackend wb = GatewayRefs.backend(
                    ref.getGroup(),
                    ref.getKind(),
                    ref.getName(),
                    ref.getNamespace(),
                    ref.getPort(),
                    ref.getWeight(),
                    ref.getFilters() != null && !ref.getFilters().isEmpty(),
                    ns,
                    bat,
                    violations);
            if (wb != null) backends.add(wb);
        }
        if (refs.isEmpty()) violations.add(new Violation(at + ".backendRefs", "a rule needs at least one backendRef"));

        List<GRPCRouteMatch> matches = r.getMatches() == null ? List.of() : r.getMatches();
        if (matches.isEmpty()) {
            out.add(new RoutePieces.Piece(
                    new HttpRouteRule(List.of(), backends, null, null, null, filters),
                    new RouteOrigin.Place(index, -1),
                    new int[] {0, 0, 0}));
            return;
        }
        for (int m = 0; m < matches.size(); m++) {
            GRPCRouteMatch match = matches.get(m);
            String mat = at + ".matches[" + m + "]";
            if (match == null) {
                violations.add(new Violation(mat, "empty match"));
                continue;
            }
            int before = violations.size();
            GRPCMethodMatch method = match.getMethod();
            PathMatch path = method == null ? PathMatch.ANY : path(method, mat + ".method", violations);
            Map<String, String> headers = headers(match.getHeaders(), mat, violations);
            if (violations.size() > before) continue;
            int serviceLength = method == null || method.getService() == null
                    ? 0
                    : method.getService().length();
            int methodLength = method == null || method.getMethod() == null
                    ? 0
                    : method.getMethod().length();
            out.add(new RoutePieces.Piece(
                    new HttpRouteRule(List.of(new HttpMatch(path, "", headers)), backends, null, null, null, filters),
                    new RouteOrigin.Place(index, m),
                    new int[] {serviceLength, methodLength, headers.size()}));
        }
    }

    private static PathMatch path(GRPCMethodMatch m, String at, List<Violation> violations) {
        String service = empty(m.getService()) ? null : m.getService();
        String method = empty(m.getMethod()) ? null : m.getMethod();
        String type = m.getType() == null ? "Exact" : m.getType();
        switch (type) {
            case "Exact" -> {
                if (service != null && method != null) return PathMatch.exact("/" + service + "/" + method);
                if (service != null) return PathMatch.prefix("/" + service + "/");
                if (method != null) return new PathMatch(PathMatch.Kind.REGEX, "/" + SEGMENT + "/" + quote(method));
                violations.add(new Violation(at, "an Exact method match needs a service, a method or both"));
                return null;
            }
            case "RegularExpression" -> {
                return new PathMatch(
                        PathMatch.Kind.REGEX,
                        "/" + (service == null ? SEGMENT : service) + "/" + (method == null ? SEGMENT : method));
            }
            default -> {
                violations.add(new Violation(at + ".type", "'" + type + "' is not Exact or RegularExpression"));
                return null;
            }
        }
    }

    private static Map<String, String> headers(List<GRPCHeaderMatch> hs, String at, List<Violation> violations) {
        Map<String, String> out = new LinkedHashMap<>();
        if (hs == null) return out;
        for (int h = 0; h < hs.size(); h++) {
            GRPCHeaderMatch header = hs.get(h);
            String hat = at + ".headers[" + h + "]";
            if (header == null || header.getName() == null) {
                violations.add(new Violation(hat + ".name", "missing"));
                continue;
            }
            if (header.getType() != null && !header.getType().equals("Exact")) {
                violations.add(new Violation(
                        hat + ".type", "'" + header.getType() + "' header matches are not supported (only Exact)"));
                continue;
            }
            out.putIfAbsent(header.getName(), header.getValue() == null ? "" : header.getValue());
        }
        return out;
    }

    private static boolean empty(String s) {
        return s == null || s.isEmpty();
    }

    private static String quote(String name) {
        return RE2_META.matcher(name).replaceAll("\\\\$1");
    }
}
