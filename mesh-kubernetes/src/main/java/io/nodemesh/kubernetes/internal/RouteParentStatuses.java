package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The status of a Gateway API route as Gateway API has it: one entry in {@code status.parents} per parent and
 * controller. nodemesh writes its entries (controller {@value GatewayApi#CONTROLLER_NAME}) for the Service parents,
 * with an {@code Accepted} condition carrying the verdict, and keeps every other controller's entries as they are.
 */
final class RouteParentStatuses {
    /** Gateway API's bound on a condition's message; the API server refuses a longer one. */
    private static final int MAX_MESSAGE = 32768;

    private RouteParentStatuses() {}

    /** The route's new {@code status}, or null when it already says this verdict. */
    static Map<String, Object> next(Verdicts.Verdict v) {
        GenericKubernetesResource r = v.resource();
        Long generation = r.getMetadata().getGeneration();
        String status = v.accepted() ? "True" : "False";
        String reason = v.accepted() ? "Accepted" : "UnsupportedValue";
        String message = StatusWriter.message(v);
        if (message.length() > MAX_MESSAGE)
            message = message.substring(0, MAX_MESSAGE - 40) + "… (cut: see the agent's log)";
        List<Map<String, Object>> current = parents(r.getAdditionalProperties().get("status"));
        List<Map<String, Object>> out = new ArrayList<>();
        boolean same = true;
        int ours = 0;
        for (Map<String, Object> p : current) {
            if (!GatewayApi.CONTROLLER_NAME.equals(p.get("controllerName"))) out.add(p);
        }
        for (Map<String, Object> ref : serviceParents(r)) {
            Map<String, Object> condition = condition(currentCondition(current, ref));
            boolean unchanged = condition != null
                    && status.equals(condition.get("status"))
                    && reason.equals(condition.get("reason"))
                    && message.equals(condition.get("message"))
                    && Objects.equals(number(condition.get("observedGeneration")), generation);
            same &= unchanged;
            String since = condition != null
                            && status.equals(condition.get("status"))
                            && condition.get("lastTransitionTime") != null
                    ? condition.get("lastTransitionTime").toString()
                    : Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("type", "Accepted");
            c.put("status", status);
            c.put("reason", reason);
            c.put("message", message);
            c.put("observedGeneration", generation);
            c.put("lastTransitionTime", since);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("parentRef", ref);
            entry.put("controllerName", GatewayApi.CONTROLLER_NAME);
            entry.put("conditions", List.of(c));
            out.add(entry);
            ours++;
        }
        long before = current.stream()
                .filter(p -> GatewayApi.CONTROLLER_NAME.equals(p.get("controllerName")))
                .count();
        if (same && before == ours) return null;
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("parents", out);
        return next;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> serviceParents(GenericKubernetesResource r) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (!(r.getAdditionalProperties().get("spec") instanceof Map<?, ?> spec)
                || !(spec.get("parentRefs") instanceof List<?> refs)) return out;
        for (Object o : refs) {
            if (o instanceof Map<?, ?> ref && GatewayApi.isService((String) ref.get("group"), (String) ref.get("kind")))
                out.add((Map<String, Object>) ref);
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> parents(Object status) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (status instanceof Map<?, ?> map && map.get("parents") instanceof List<?> list) {
            for (Object o : list) if (o instanceof Map<?, ?> m) out.add((Map<String, Object>) m);
        }
        return out;
    }

    private static Map<String, Object> currentCondition(List<Map<String, Object>> current, Map<String, Object> ref) {
        for (Map<String, Object> p : current) {
            if (GatewayApi.CONTROLLER_NAME.equals(p.get("controllerName")) && ref.equals(p.get("parentRef"))) return p;
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> condition(Map<String, Object> parent) {
        if (parent == null || !(parent.get("conditions") instanceof List<?> list)) return null;
        for (Object c : list) {
            if (c instanceof Map<?, ?> cm && "Accepted".equals(cm.get("type"))) return (Map<String, Object>) cm;
        }
        return null;
    }

    private static Long number(Object o) {
        return o instanceof Number n ? n.longValue() : null;
    }
}
