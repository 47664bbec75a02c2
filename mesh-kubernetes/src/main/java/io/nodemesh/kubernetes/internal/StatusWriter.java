package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.nodemesh.api.state.Violation;
import io.nodemesh.kubernetes.crd.MeshStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the {@code Accepted} condition on nodemesh's resources (on Gateway API routes, in their
 * {@code status.parents}: {@link RouteParentStatuses}), only when it differs from what the resource already
 * says. Only the elected status writer calls it ({@link StatusLeader}); with the election off every agent computes the
 * same verdict, so the first write wins and the others find nothing to do (a conflict means a newer version is on its
 * way, whose event brings another pass).
 */
final class StatusWriter {
    private static final Logger LOG = LoggerFactory.getLogger(StatusWriter.class);

    private final KubernetesClient client;

    StatusWriter(KubernetesClient client) {
        this.client = client;
    }

    void write(List<Verdicts.Verdict> verdicts) {
        for (Verdicts.Verdict v : verdicts) {
            try {
                writeOne(v);
            } catch (KubernetesClientException e) {
                if (e.getCode() == 409 || e.getCode() == 404) continue; // newer version or gone: its event follows
                LOG.warn(
                        "could not write the status of {} {}: {}",
                        v.resource().getKind(),
                        Refs.key(v.resource()),
                        e.getMessage());
            }
        }
    }

    private void writeOne(Verdicts.Verdict v) {
        GenericKubernetesResource r = v.resource();
        if (GatewayApi.isGatewayRoute(r)) {
            Map<String, Object> next = RouteParentStatuses.next(v);
            if (next == null) return;
            GenericKubernetesResource copy = client.getKubernetesSerialization().clone(r);
            copy.setAdditionalProperty("status", next);
            client.genericKubernetesResources(CustomResources.of(r))
                    .resource(copy)
                    .updateStatus();
            return;
        }
        Long generation = r.getMetadata().getGeneration();
        String status = v.accepted() ? "True" : "False";
        String reason = v.accepted() ? "Applied" : "Invalid";
        String message = message(v);
        Map<String, Object> current = currentCondition(r);
        if (current != null
                && status.equals(current.get("status"))
                && reason.equals(current.get("reason"))
                && message.equals(current.get("message"))
                && Objects.equals(number(current.get("observedGeneration")), generation)) {
            return;
        }
        String since =
                current != null && status.equals(current.get("status")) && current.get("lastTransitionTime") != null
                        ? current.get("lastTransitionTime").toString()
                        : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        Map<String, Object> condition = new LinkedHashMap<>();
        condition.put("type", MeshStatus.ACCEPTED);
        condition.put("status", status);
        condition.put("reason", reason);
        condition.put("message", message);
        condition.put("observedGeneration", generation);
        condition.put("lastTransitionTime", since);
        Map<String, Object> newStatus = new LinkedHashMap<>();
        newStatus.put("observedGeneration", generation);
        newStatus.put("conditions", List.of(condition));
        GenericKubernetesResource copy = client.getKubernetesSerialization().clone(r);
        copy.setAdditionalProperty("status", newStatus);
        client.genericKubernetesResources(CustomResources.of(r)).resource(copy).updateStatus();
    }

    static String message(Verdicts.Verdict v) {
        if (v.accepted()) return "applied";
        List<Violation> violations = v.violations();
        return violations.size()
                + (violations.size() == 1 ? " violation: " : " violations: ")
                + violations.stream().map(Violation::toString).collect(Collectors.joining("; "))
                + (v.previousServing() ? " (the previous version keeps serving)" : " (not applied)");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> currentCondition(GenericKubernetesResource r) {
        Object status = r.getAdditionalProperties().get("status");
        if (!(status instanceof Map<?, ?> map) || !(map.get("conditions") instanceof List<?> list)) return null;
        for (Object c : list) {
            if (c instanceof Map<?, ?> cm && MeshStatus.ACCEPTED.equals(cm.get("type")))
                return (Map<String, Object>) cm;
        }
        return null;
    }

    private static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }
}
