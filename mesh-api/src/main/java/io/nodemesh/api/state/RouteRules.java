package io.nodemesh.api.state;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The rules of HTTP routes: a known L7 parent, rules with backends that exist and weights that send traffic, filters a
 * proxy can apply ({@link FilterRules}).
 */
final class RouteRules {
    private final MeshState state;
    private final Supplier<Map<String, Service>> servicesByKey;
    private final FieldRules rules;
    private final FilterRules filters;

    RouteRules(MeshState state, Supplier<Map<String, Service>> servicesByKey, FieldRules rules) {
        this.state = state;
        this.servicesByKey = servicesByKey;
        this.rules = rules;
        this.filters = new FilterRules(rules);
    }

    void check() {
        Set<String> keys = new HashSet<>();
        Map<String, String> routeOfService = new HashMap<>();
        for (int i = 0; i < state.routes().size(); i++) {
            HttpRoute r = state.routes().get(i);
            String at = "routes[" + FieldRules.keyOr(r.namespace(), r.name(), i) + "]";
            rules.names(at, r.namespace(), r.name());
            if (!keys.add(r.key())) rules.add(at, "duplicate route " + r.key());
            Service parent = servicesByKey.get().get(r.service());
            String other = r.service() == null ? null : routeOfService.putIfAbsent(r.service(), r.key());
            if (other != null && !other.equals(r.key())) {
                rules.add(
                        at + ".service",
                        "service " + r.service() + " already has route " + other
                                + "; which of two routes wins is undefined, so put their rules in one route");
            }
            if (parent == null) {
                rules.add(at + ".service", "unknown service '" + r.service() + "'");
            } else if (!parent.l7()) {
                rules.add(
                        at + ".service", "service " + r.service() + " is not marked l7, so no proxy sees its requests");
            }
            if (r.rules().isEmpty()) rules.add(at + ".rules", "a route needs at least one rule");
            for (int j = 0; j < r.rules().size(); j++) {
                HttpRouteRule rule = r.rules().get(j);
                String rat = at + ".rules[" + j + "]";
                for (int m = 0; m < rule.matches().size(); m++)
                    rules.httpMatch(rat + ".matches[" + m + "]", rule.matches().get(m));
                if (rule.backends().isEmpty() && rule.redirect().isEmpty())
                    rules.add(rat + ".backends", "a rule needs at least one backend (or a RequestRedirect filter)");
                long total = 0;
                for (int b = 0; b < rule.backends().size(); b++) {
                    WeightedBackend wb = rule.backends().get(b);
                    String bat = rat + ".backends[" + b + "]";
                    if (!servicesByKey.get().containsKey(wb.service()))
                        rules.add(bat + ".service", "unknown service '" + wb.service() + "'");
                    if (wb.weight() < 0) rules.add(bat + ".weight", wb.weight() + " is negative");
                    if (wb.port() != 0) backendPort(bat + ".port", wb);
                    total += Math.max(0, wb.weight());
                }
                if (!rule.backends().isEmpty() && total == 0)
                    rules.add(rat + ".backends", "weights add up to 0: no backend would get traffic");
                if (rule.timeout().isNegative()) rules.add(rat + ".timeout", "must not be negative");
                if (rule.retries().attempts() < 0)
                    rules.add(rat + ".retries.attempts", rule.retries().attempts() + " is negative");
                if (rule.retries().perTryTimeout().isNegative())
                    rules.add(rat + ".retries.perTryTimeout", "must not be negative");
                rules.fault(rat + ".fault", rule.fault());
                filters.check(rat, rule);
            }
        }
    }

    private void backendPort(String path, WeightedBackend wb) {
        if (wb.port() < 1 || wb.port() > 65535) {
            rules.portRange(path, wb.port());
            return;
        }
        Service target = servicesByKey.get().get(wb.service());
        if (target != null && target.ports().stream().noneMatch(p -> p.port() == wb.port())) {
            rules.add(
                    path,
                    "service " + target.key() + " has no port " + wb.port() + " (it has "
                            + target.ports().stream()
                                    .map(p -> String.valueOf(p.port()))
                                    .distinct()
                                    .toList() + ")");
        }
    }
}
