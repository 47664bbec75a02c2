package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPHeaderMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteTimeouts;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.RetryPolicy;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Gateway API {@link HTTPRoute} attached to Services becomes MeshState routes: path (Exact, PathPrefix,
 * RegularExpression), method and exact header matches; RequestHeaderModifier, ResponseHeaderModifier and
 * RequestRedirect filters; weighted Service backends; request and backendRequest timeouts; retry attempts. What the
 * mesh cannot express is refused with its field, never dropped: a route that did less than it says would be worse.
 */
final class GatewayHttpRouteReader {
    private static final String SUPPORTED_FILTERS = "RequestHeaderModifier, ResponseHeaderModifier and RequestRedirect";

    private GatewayHttpRouteReader() {}

    static GatewayRead read(HTTPRoute route) {
        var spec = route.getSpec();
        return GatewayRouteSkeleton.read(
                "httproute",
                route.getMetadata(),
                spec != null,
                spec == null ? null : spec.getParentRefs(),
                spec == null ? null : spec.getRules(),
                GatewayHttpRouteReader::rule);
    }

    private static void rule(
            HTTPRouteRule r, int index, String at, String ns, List<RoutePieces.Piece> out, List<Violation> violations) {
        List<HttpFilter> filters = new ArrayList<>();
        List<HTTPRouteFilter> specFilters = r.getFilters() == null ? List.of() : r.getFilters();
        for (int f = 0; f < specFilters.size(); f++) {
            HTTPRouteFilter filter = specFilters.get(f);
            String fat = at + ".filters[" + f + "]";
            String type = filter == null ? null : filter.getType();
            HttpFilter mapped = switch (type == null ? "" : type) {
                case "RequestHeaderModifier" ->
                    GatewayFilters.headers(filter.getRequestHeaderModifier(), true, fat, violations);
                case "ResponseHeaderModifier" ->
                    GatewayFilters.headers(filter.getResponseHeaderModifier(), false, fat, violations);
                case "RequestRedirect" -> GatewayFilters.redirect(filter.getRequestRedirect(), fat, violations);
                default -> {
                    violations.add(GatewayFilters.unsupported(type, fat, SUPPORTED_FILTERS));
                    yield null;
                }
            };
            if (mapped != null) filters.add(mapped);
        }
        List<WeightedBackend> backends = new ArrayList<>();
        List<HTTPBackendRef> refs = r.getBackendRefs() == null ? List.of() : r.getBackendRefs();
        for (int b = 0; b < refs.size(); b++) {
            HTTPBackendRef ref = refs.get(b);
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
        Duration timeout = Duration.ZERO;
        Duration perTry = Duration.ZERO;
        HTTPRouteTimeouts t = r.getTimeouts();
        if (t != null) {
            Duration request = duration(t.getRequest(), at + ".timeouts.request", violations);
            Duration backend = duration(t.getBackendRequest(), at + ".timeouts.backendRequest", violations);
            if (request.isPositive() && backend.compareTo(request) > 0)
                violations.add(new Violation(
                        at + ".timeouts.backendRequest",
                        t.getBackendRequest() + " is longer than timeouts.request (" + t.getRequest() + ")"));
            timeout = request;
            perTry = backend;
        }
        RetryPolicy retries = RetryPolicy.NONE;
        if (r.getRetry() != null) {
            var retry = r.getRetry();
            if (retry.getCodes() != null && !retry.getCodes().isEmpty())
                violations.add(new Violation(
                        at + ".retry.codes",
                        "retrying on chosen status codes is not supported (retries are on 5xx, connect failures"
                                + " and unavailable): leave codes out"));
            if (retry.getBackoff() != null)
                violations.add(new Violation(at + ".retry.backoff", "a retry backoff is not supported: leave it out"));
            int attempts = retry.getAttempts() == null ? 0 : retry.getAttempts();
            if (attempts > 0) retries = new RetryPolicy(attempts, perTry, List.of());
        }
        if (retries.attempts() == 0 && perTry.isPositive()) {
            // Without retries one backend request is the whole request: the shorter of the two bounds it.
            timeout = timeout.isPositive() && timeout.compareTo(perTry) < 0 ? timeout : perTry;
        }
        if (refs.isEmpty() && filters.stream().noneMatch(f -> f instanceof io.nodemesh.api.state.RequestRedirect))
            violations.add(new Violation(
                    at + ".backendRefs", "a rule needs at least one backendRef (or a RequestRedirect filter)"));

        List<HTTPRouteMatch> matches = r.getMatches() == null ? List.of() : r.getMatches();
        if (matches.isEmpty()) {
            var rule = new io.nodemesh.api.state.HttpRouteRule(List.of(), backends, timeout, retries, null, filters);
            out.add(new RoutePieces.Piece(rule, new RouteOrigin.Place(index, -1), new int[] {0, 1, 0, 0}));
            return;
        }
        for (int m = 0; m < matches.size(); m++) {
            HTTPRouteMatch match = matches.get(m);
            String mat = at + ".matches[" + m + "]";
            if (match == null) {
                violations.add(new Violation(mat, "empty match"));
                continue;
            }
            HttpMatch hm = match(match, mat, violations);
            if (hm == null) continue;
            var rule = new io.nodemesh.api.state.HttpRouteRule(List.of(hm), backends, timeout, retries, null, filters);
            out.add(new RoutePieces.Piece(rule, new RouteOrigin.Place(index, m), specificity(hm)));
        }
    }

    private static HttpMatch match(HTTPRouteMatch m, String at, List<Violation> violations) {
        int before = violations.size();
        PathMatch path = PathMatch.ANY;
        if (m.getPath() != null) {
            String type =
                    m.getPath().getType() == null ? "PathPrefix" : m.getPath().getType();
            PathMatch.Kind kind = switch (type) {
                case "Exact" -> PathMatch.Kind.EXACT;
                case "PathPrefix" -> PathMatch.Kind.PREFIX;
                case "RegularExpression" -> PathMatch.Kind.REGEX;
                default -> null;
            };
            if (kind == null)
                violations.add(new Violation(
                        at + ".path.type", "'" + type + "' is not Exact, PathPrefix or RegularExpression"));
            else
                path = new PathMatch(
                        kind, m.getPath().getValue() == null ? "/" : m.getPath().getValue());
        }
        Map<String, String> headers = new LinkedHashMap<>();
        List<HTTPHeaderMatch> hs = m.getHeaders() == null ? List.of() : m.getHeaders();
        for (int h = 0; h < hs.size(); h++) {
            HTTPHeaderMatch header = hs.get(h);
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
            headers.putIfAbsent(header.getName(), header.getValue() == null ? "" : header.getValue());
        }
        if (m.getQueryParams() != null && !m.getQueryParams().isEmpty())
            violations.add(new Violation(
                    at + ".queryParams",
                    "query parameter matches are not supported (a mesh route matches path, method and headers)"));
        if (violations.size() > before) return null;
        return new HttpMatch(path, m.getMethod(), headers);
    }

    /** Gateway API's precedence: exact path, then regular expression, then the longest prefix; method; headers. */
    private static int[] specificity(HttpMatch m) {
        int kind = switch (m.path().kind()) {
            case EXACT -> 2;
            case REGEX -> 1;
            case PREFIX -> 0;
        };
        int length = m.path().kind() == PathMatch.Kind.PREFIX ? m.path().value().length() : 0;
        return new int[] {
            kind, length, m.method().isEmpty() ? 0 : 1, m.headers().size()
        };
    }

    private static Duration duration(String text, String at, List<Violation> violations) {
        if (text == null || text.isEmpty()) return Duration.ZERO;
        Duration d = GoDuration.parse(text);
        if (d == null) violations.add(new Violation(at, "'" + text + "' is not a duration such as 2s, 500ms or 1m30s"));
        return d == null ? Duration.ZERO : d;
    }
}
