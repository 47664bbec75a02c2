package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.Violation;
import java.util.List;
import java.util.Map;

/**
 * What one Gateway API route was read into: its MeshState routes (one per Service parent), or the violations that
 * stop it; and the parents that are not the mesh's (Gateways), for one log line.
 */
record GatewayRead(RoutePieces.Routes routes, List<Violation> violations, List<String> otherParents) {
    GatewayRead {
        violations = List.copyOf(violations);
        otherParents = List.copyOf(otherParents);
    }

    static GatewayRead failed(List<Violation> violations) {
        return new GatewayRead(new RoutePieces.Routes(Map.of(), Map.of()), violations, List.of());
    }

    boolean ok() {
        return violations.isEmpty();
    }

    /** Whether the route names no Service at all: it is another controller's, and the mesh leaves it alone. */
    boolean notTheMeshs() {
        return ok() && routes.routes().isEmpty();
    }
}
