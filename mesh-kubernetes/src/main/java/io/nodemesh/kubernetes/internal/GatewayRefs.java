package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.WeightedBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The references of a Gateway API route: which Services it is attached to (its parents, in mesh mode) and which
 * Services its rules send traffic to. Parents that are Gateways are not the mesh's (nodemesh is no ingress); they are
 * returned apart so the caller can say so once.
 */
final class GatewayRefs {
    /** A Service the route is attached to: its index in {@code spec.parentRefs} and its key. */
    record Parent(int index, String service) {}

    /** The route's parents as read: the Services it routes, and the other parents it names, for one log line. */
    record Parents(List<Parent> services, List<String> others) {}

    private GatewayRefs() {}

    static Parents parents(List<ParentReference> refs, String namespace, List<Violation> violations) {
        List<Parent> services = new ArrayList<>();
        List<String> others = new ArrayList<>();
        List<ParentReference> all = refs == null ? List.of() : refs;
        for (int i = 0; i < all.size(); i++) {
            ParentReference p = all.get(i);
            String at = "spec.parentRefs[" + i + "]";
            if (p == null) {
                violations.add(new Violation(at, "empty parent reference"));
                continue;
            }
            if (!GatewayApi.isService(p.getGroup(), p.getKind())) {
                others.add((p.getKind() == null ? "Gateway" : p.getKind()) + " " + p.getName());
                continue;
            }
            if (p.getName() == null || p.getName().isEmpty()) {
                violations.add(new Violation(at + ".name", "missing"));
                continue;
            }
            if (p.getNamespace() != null
                    && !p.getNamespace().isEmpty()
                    && !p.getNamespace().equals(namespace)) {
                // A consumer route (GAMMA): it would apply to this namespace's clients only, and MeshState routes apply
                // to every client of the service.
                violations.add(new Violation(
                        at + ".namespace",
                        "a route for a Service in another namespace (" + p.getNamespace()
                                + ") is not supported: nodemesh routes apply to every client, so put the route in the"
                                + " Service's namespace"));
                continue;
            }
            if (p.getPort() != null
                    || (p.getSectionName() != null && !p.getSectionName().isEmpty())) {
                violations.add(new Violation(
                        at + (p.getPort() != null ? ".port" : ".sectionName"),
                        "a route for one port of a Service is not supported: nodemesh routes apply to all of the"
                                + " Service's ports, so leave port and sectionName out"));
                continue;
            }
            String key = namespace + "/" + p.getName();
            if (services.stream().anyMatch(s -> s.service().equals(key))) {
                violations.add(new Violation(at, "Service " + key + " is named twice"));
                continue;
            }
            services.add(new Parent(i, key));
        }
        if (services.isEmpty() && others.isEmpty() && violations.isEmpty())
            violations.add(new Violation("spec.parentRefs", "missing: name the Service whose traffic this routes"));
        return new Parents(services, others);
    }

    /**
     * A backend reference: a Service of the route's namespace, its port (absent = the port the request came to) and
     * weight (absent = 1). Anything else is a violation at {@code at}.
     */
    static WeightedBackend backend(
            String group,
            String kind,
            String name,
            String refNamespace,
            Integer port,
            Integer weight,
            boolean hasFilters,
            String namespace,
            String at,
            List<Violation> violations) {
        int before = violations.size();
        if (!GatewayApi.isService(group, kind == null ? "Service" : kind)) {
            String what = (group == null || group.isEmpty() ? "" : group + "/") + Objects.toString(kind, "Service");
            violations.add(
                    new Violation(at + ".kind", "'" + what + "' is not a Service: nodemesh routes only to Services"));
        }
        if (name == null || name.isEmpty()) violations.add(new Violation(at + ".name", "missing"));
        if (refNamespace != null && !refNamespace.isEmpty() && !refNamespace.equals(namespace)) {
            violations.add(new Violation(
                    at + ".namespace",
                    "a backend in another namespace (" + refNamespace + ") is not supported (ReferenceGrants are"
                            + " not read): route to Services of the route's namespace"));
        }
        if (hasFilters) {
            violations.add(
                    new Violation(at + ".filters", "filters on a backendRef are not supported: put them on the rule"));
        }
        if (violations.size() > before) return null;
        return new WeightedBackend(namespace + "/" + name, port == null ? 0 : port, weight == null ? 1 : weight);
    }
}
