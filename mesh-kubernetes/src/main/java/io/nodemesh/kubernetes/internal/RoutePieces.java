package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.HttpRouteRule;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Turns a Gateway API route's rules into MeshState routes. Gateway API picks among all matches of a route by
 * precedence (an exact path before a longer prefix before a shorter one, then method, then the number of header
 * matches; ties go to the earlier rule), while a MeshState route takes its first matching rule. So each match
 * becomes a rule of its own, and the rules are put in precedence order: a stable sort keeps list order for ties.
 */
final class RoutePieces {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

    /**
     * One match of one rule, as a MeshState rule with a single match (or none: every request).
     *
     * @param specificity larger first, compared element by element
     */
    record Piece(HttpRouteRule rule, RouteOrigin.Place place, int[] specificity) {}

    /** The MeshState routes of one object, by key, and where each came from. */
    record Routes(Map<String, HttpRoute> routes, Map<String, RouteOrigin> origins) {}

    private static final Comparator<Piece> MOST_SPECIFIC_FIRST = (a, b) -> {
        for (int i = 0; i < Math.min(a.specificity().length, b.specificity().length); i++) {
            int c = Integer.compare(b.specificity()[i], a.specificity()[i]);
            if (c != 0) return c;
        }
        return 0;
    };

    private RoutePieces() {}

    /**
     * One MeshState route per Service parent, named {@code <prefix>-<name>} ({@code -<service>} appended when there
     * are several parents), each with the pieces in precedence order.
     */
    static Routes build(
            String prefix,
            String sourceId,
            String namespace,
            String name,
            List<GatewayRefs.Parent> parents,
            List<Piece> pieces,
            List<Violation> violations) {
        List<Piece> ordered = new ArrayList<>(pieces);
        ordered.sort(MOST_SPECIFIC_FIRST);
        List<HttpRouteRule> rules = ordered.stream().map(Piece::rule).toList();
        List<RouteOrigin.Place> places = ordered.stream().map(Piece::place).toList();
        Map<String, HttpRoute> routes = new TreeMap<>();
        Map<String, RouteOrigin> origins = new TreeMap<>();
        for (GatewayRefs.Parent parent : parents) {
            String routeName = prefix + "-" + name;
            if (parents.size() > 1)
                routeName += "-" + parent.service().substring(parent.service().indexOf('/') + 1);
            if (!DNS_LABEL.matcher(routeName).matches()) {
                violations.add(new Violation(
                        "metadata.name",
                        "the mesh route '" + routeName + "' made from it is not a DNS label (lower-case letters,"
                                + " digits and '-', at most 63): shorten the name"));
                continue;
            }
            HttpRoute route = new HttpRoute(namespace, routeName, parent.service(), rules);
            routes.put(route.key(), route);
            origins.put(
                    route.key(), new RouteOrigin(sourceId, "spec.parentRefs[" + parent.index() + "]", places, true));
        }
        return new Routes(routes, origins);
    }
}
