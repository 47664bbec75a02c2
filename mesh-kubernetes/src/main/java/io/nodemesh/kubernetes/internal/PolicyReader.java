package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Violation;
import io.nodemesh.kubernetes.crd.MeshPolicy;
import io.nodemesh.kubernetes.crd.MeshPolicySpec;
import java.util.ArrayList;
import java.util.List;

/** A {@link MeshPolicy} becomes a {@link Policy}; what cannot be translated is reported with its path in the resource. */
final class PolicyReader {
    private PolicyReader() {}

    static Translated<Policy> read(MeshPolicy cr, String trustDomain) {
        List<Violation> violations = new ArrayList<>();
        MeshPolicySpec spec = cr.getSpec();
        String ns = cr.getMetadata().getNamespace();
        if (spec == null) {
            violations.add(new Violation("spec", "missing"));
            return new Translated<>(null, violations);
        }
        PolicyAction action = null;
        if (spec.action() == null) {
            violations.add(new Violation("spec.action", "missing: give allow or deny"));
        } else if (spec.action().equalsIgnoreCase("allow")) {
            action = PolicyAction.ALLOW;
        } else if (spec.action().equalsIgnoreCase("deny")) {
            action = PolicyAction.DENY;
        } else {
            violations.add(new Violation("spec.action", "'" + spec.action() + "' is neither allow nor deny"));
        }
        List<String> sources = identities(spec.sources(), trustDomain);
        List<String> destinations = identities(spec.destinations(), trustDomain);
        List<String> services = new ArrayList<>();
        if (spec.services() != null) spec.services().forEach(s -> services.add(Refs.service(s, ns)));
        List<Integer> ports = spec.ports() == null ? List.of() : spec.ports();
        List<HttpMatch> http = HttpMatchReader.read(spec.http(), "spec.http", violations);
        Policy policy =
                new Policy(ns, cr.getMetadata().getName(), action, sources, destinations, services, ports, http);
        return new Translated<>(violations.isEmpty() ? policy : null, violations);
    }

    private static List<String> identities(List<String> refs, String trustDomain) {
        List<String> out = new ArrayList<>();
        if (refs != null) refs.forEach(r -> out.add(Refs.identity(r, trustDomain)));
        return out;
    }
}
