package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What every Gateway API route kind reads alike: its Service parents, then each of its rules in turn by the kind's own
 * {@link RuleReader}, then the pieces built into routes. Only the rule mapping differs between HTTPRoute and GRPCRoute.
 */
final class GatewayRouteSkeleton {
    private GatewayRouteSkeleton() {}

    /** Maps one rule of a route kind into pieces, adding what it cannot express to {@code violations}. */
    @FunctionalInterface
    interface RuleReader<R> {
        void read(R rule, int index, String at, String ns, List<RoutePieces.Piece> out, List<Violation> violations);
    }

    /**
     * Reads one route of {@code kind} ({@code httproute}, {@code grpcroute}); {@code hasSpec} false is a route without a
     * spec, {@code rules} null one without rules.
     */
    static <R> GatewayRead read(
            String kind,
            ObjectMeta meta,
            boolean hasSpec,
            List<ParentReference> parentRefs,
            List<R> rules,
            RuleReader<R> ruleReader) {
        List<Violation> violations = new ArrayList<>();
        String ns = meta.getNamespace();
        String sourceId = Verdicts.id(kind, ns + "/" + meta.getName());
        if (!hasSpec) return GatewayRead.failed(List.of(new Violation("spec", "missing")));
        GatewayRefs.Parents parents = GatewayRefs.parents(parentRefs, ns, violations);
        if (parents.services().isEmpty() && violations.isEmpty())
            return new GatewayRead(new RoutePieces.Routes(Map.of(), Map.of()), List.of(), parents.others());
        List<RoutePieces.Piece> pieces = new ArrayList<>();
        List<R> all = rules == null ? List.of() : rules;
        if (all.isEmpty()) violations.add(new Violation("spec.rules", "a route needs at least one rule"));
        for (int i = 0; i < all.size(); i++) {
            String at = "spec.rules[" + i + "]";
            R r = all.get(i);
            if (r == null) {
                violations.add(new Violation(at, "empty rule"));
                continue;
            }
            ruleReader.read(r, i, at, ns, pieces, violations);
        }
        RoutePieces.Routes routes =
                RoutePieces.build(kind, sourceId, ns, meta.getName(), parents.services(), pieces, violations);
        return new GatewayRead(routes, violations, parents.others());
    }
}
