package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.nodemesh.api.state.Locality;
import java.util.Locale;

/**
 * A Service's {@link Locality}, from its own fields: {@code internalTrafficPolicy: Local} keeps traffic on the client's
 * node ({@link Locality#NODE_ONLY}); {@code trafficDistribution: PreferSameZone} prefers the zone,
 * {@code PreferSameNode} the node then the zone, and {@code PreferClose} — "close" is the implementation's to define —
 * the node then the zone too. Unknown values mean no preference, as Kubernetes asks. Annotation {@value #ANNOTATION}
 * ({@code any}, {@code prefer-zone}, {@code prefer-node}, {@code node-only}) overrides both.
 */
final class ServiceLocality {
    static final String ANNOTATION = "nodemesh.io/locality";

    private ServiceLocality() {}

    static Locality of(ServiceSpec spec, String annotation) {
        if (annotation != null) {
            Locality named = named(annotation);
            if (named != null) return named;
        }
        if ("Local".equals(spec.getInternalTrafficPolicy())) return Locality.NODE_ONLY;
        String distribution = spec.getTrafficDistribution();
        if (distribution == null) return Locality.ANY;
        return switch (distribution) {
            case "PreferSameZone" -> Locality.PREFER_ZONE;
            case "PreferClose", "PreferSameNode" -> Locality.PREFER_NODE;
            default -> Locality.ANY;
        };
    }

    private static Locality named(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT).replace('_', '-')) {
            case "any" -> Locality.ANY;
            case "prefer-zone" -> Locality.PREFER_ZONE;
            case "prefer-node" -> Locality.PREFER_NODE;
            case "node-only" -> Locality.NODE_ONLY;
            default -> null;
        };
    }
}
