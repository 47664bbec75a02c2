package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What became of each of nodemesh's resources in one assembly: accepted, or refused with every violation (and whether
 * its previous good version keeps serving). The status writer turns these into {@code Accepted} conditions.
 */
final class Verdicts {
    /** One resource's verdict. */
    record Verdict(GenericKubernetesResource resource, List<Violation> violations, boolean previousServing) {
        boolean accepted() {
            return violations.isEmpty();
        }
    }

    private final Map<String, GenericKubernetesResource> resources = new LinkedHashMap<>();
    private final Map<String, List<Violation>> violations = new LinkedHashMap<>();
    private final Map<String, Boolean> previousServing = new LinkedHashMap<>();

    void seen(String id, GenericKubernetesResource resource) {
        resources.put(id, resource);
        violations.putIfAbsent(id, new ArrayList<>());
    }

    void reject(String id, List<Violation> found, boolean previous) {
        violations.computeIfAbsent(id, k -> new ArrayList<>()).addAll(found);
        previousServing.put(id, previous);
    }

    boolean rejected(String id) {
        return !violations.getOrDefault(id, List.of()).isEmpty();
    }

    List<Verdict> all() {
        List<Verdict> out = new ArrayList<>();
        resources.forEach((id, r) ->
                out.add(new Verdict(r, List.copyOf(violations.get(id)), previousServing.getOrDefault(id, false))));
        return out;
    }

    /** The id of a resource in these verdicts: its kind and key. */
    static String id(String kind, String key) {
        return kind + ":" + key;
    }
}
