package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.HttpRoute;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one bad object from stopping the whole cluster's mesh. Given a state's violations, it takes out each object a
 * violation names: a MeshPolicy or MeshHttpRoute falls back to its last good version (or is left out) and gets the
 * violations on its status; a node, pod or service the API server holds in a shape the mesh cannot take is left out
 * and logged. The caller applies again, as often as removals uncover new violations (a route whose service was taken
 * out).
 */
final class Quarantine {
    private static final Logger LOG = LoggerFactory.getLogger(Quarantine.class);
    private static final Pattern OWNER =
            Pattern.compile("^(nodes|workloads|services|policies|routes)\\[([^\\]]*)\\](.*)$");

    private Quarantine() {}

    /** What to apply next, or null when a violation names no object this can take out. */
    static MeshState without(
            MeshState state,
            List<Violation> violations,
            Map<String, Policy> lastGoodPolicies,
            Map<String, HttpRoute> lastGoodRoutes,
            Verdicts verdicts,
            List<String> leftOut) {
        return without(state, violations, lastGoodPolicies, lastGoodRoutes, Map.of(), verdicts, leftOut);
    }

    /**
     * As above, with where each route came from: a route's violations go on the object it was read from (a
     * MeshHttpRoute, HTTPRoute or GRPCRoute), at that object's field.
     */
    static MeshState without(
            MeshState state,
            List<Violation> violations,
            Map<String, Policy> lastGoodPolicies,
            Map<String, HttpRoute> lastGoodRoutes,
            Map<String, RouteOrigin> routeOrigins,
            Verdicts verdicts,
            List<String> leftOut) {
        Map<String, List<Violation>> byOwner = new LinkedHashMap<>();
        for (Violation v : violations) {
            Matcher m = OWNER.matcher(v.path());
            if (!m.matches()) return null;
            String rest = m.group(3);
            RouteOrigin origin = m.group(1).equals("routes") ? routeOrigins.get(m.group(2)) : null;
            byOwner.computeIfAbsent(m.group(1) + ":" + m.group(2), k -> new ArrayList<>())
                    .add(new Violation(origin == null ? "spec" + rest : origin.path(rest), v.reason()));
        }
        List<Policy> policies = new ArrayList<>(state.policies());
        List<HttpRoute> routes = new ArrayList<>(state.routes());
        var nodes = new ArrayList<>(state.nodes());
        var workloads = new ArrayList<>(state.workloads());
        var services = new ArrayList<>(state.services());
        for (var entry : byOwner.entrySet()) {
            String kind = entry.getKey().substring(0, entry.getKey().indexOf(':'));
            String key = entry.getKey().substring(kind.length() + 1);
            List<Violation> found = entry.getValue();
            switch (kind) {
                case "policies" ->
                    replace(
                            policies,
                            Policy::key,
                            key,
                            lastGoodPolicies.get(key),
                            Verdicts.id("policy", key),
                            found,
                            verdicts);
                case "routes" -> {
                    RouteOrigin origin = routeOrigins.get(key);
                    String id = origin == null ? Verdicts.id("route", key) : origin.sourceId();
                    replace(routes, HttpRoute::key, key, lastGoodRoutes.get(key), id, found, verdicts);
                }
                case "nodes" -> leave(nodes, n -> n.name(), key, "node", found, leftOut);
                case "workloads" -> leave(workloads, w -> w.key(), key, "pod", found, leftOut);
                default -> leave(services, s -> s.key(), key, "service", found, leftOut);
            }
        }
        return new MeshState(nodes, workloads, services, policies, routes, state.encryption());
    }

    private static <T> void replace(
            List<T> items,
            Function<T, String> keyOf,
            String key,
            T lastGood,
            String id,
            List<Violation> found,
            Verdicts verdicts) {
        for (int i = 0; i < items.size(); i++) {
            if (!keyOf.apply(items.get(i)).equals(key)) continue;
            boolean fallBack = lastGood != null && !lastGood.equals(items.get(i));
            if (fallBack) items.set(i, lastGood);
            else items.remove(i);
            verdicts.reject(id, found, fallBack);
            return;
        }
    }

    private static <T> void leave(
            List<T> items,
            Function<T, String> keyOf,
            String key,
            String kind,
            List<Violation> found,
            List<String> leftOut) {
        if (items.removeIf(i -> keyOf.apply(i).equals(key))) {
            String why = kind + " " + key + " left out of the mesh: "
                    + found.stream().map(Violation::toString).toList();
            LOG.warn(why);
            leftOut.add(why);
        }
    }
}
