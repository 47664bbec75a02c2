package io.nodemesh.kubernetes;

import io.fabric8.kubernetes.api.model.FieldsV1;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives test objects the metadata real clusters carry and the agent never reads: {@code managedFields} in the FieldsV1
 * shape the API server writes (an {@code f:} entry per field, {@code k:}/{@code v:} entries per list item), one entry
 * per manager, and {@code kubectl apply}'s last-applied-configuration annotation (the whole object as JSON).
 */
public final class ManagedFields {
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private ManagedFields() {}

    /** As {@code kubectl apply} leaves an object: the annotation, and an Update entry per manager over every spec field. */
    public static <T extends HasMetadata> T kubectlApplied(T obj, String... otherManagers) {
        String applied = JSON.asJson(obj);
        var annotations = obj.getMetadata().getAnnotations() == null
                ? new HashMap<String, String>()
                : new HashMap<>(obj.getMetadata().getAnnotations());
        annotations.put(LAST_APPLIED, applied);
        obj.getMetadata().setAnnotations(annotations);
        List<ManagedFieldsEntry> entries = new ArrayList<>();
        entries.add(entry(obj, "kubectl-client-side-apply"));
        for (String m : otherManagers) entries.add(entry(obj, m));
        obj.getMetadata().setManagedFields(entries);
        return obj;
    }

    /** As a controller leaves what it made: one Update entry for {@code manager} over every field. */
    public static <T extends HasMetadata> T controllerManaged(T obj, String manager) {
        obj.getMetadata().setManagedFields(List.of(entry(obj, manager)));
        return obj;
    }

    /** The bytes the JSON of {@code obj}'s managedFields and last-applied annotation take. */
    public static int overheadBytes(HasMetadata obj) {
        int n = obj.getMetadata().getManagedFields() == null
                ? 0
                : JSON.asJson(obj.getMetadata().getManagedFields()).length();
        var a = obj.getMetadata().getAnnotations();
        return n
                + (a == null || a.get(LAST_APPLIED) == null
                        ? 0
                        : a.get(LAST_APPLIED).length());
    }

    @SuppressWarnings("unchecked")
    private static ManagedFieldsEntry entry(HasMetadata obj, String manager) {
        Map<String, Object> tree = JSON.convertValue(obj, Map.class);
        tree.remove("apiVersion");
        tree.remove("kind");
        if (tree.get("metadata") instanceof Map<?, ?> meta) {
            Map<String, Object> kept = new LinkedHashMap<>();
            if (meta.get("labels") != null) kept.put("labels", meta.get("labels"));
            if (meta.get("annotations") != null) kept.put("annotations", meta.get("annotations"));
            tree.put("metadata", kept);
        }
        FieldsV1 fields = new FieldsV1();
        fields.setAdditionalProperties((Map<String, Object>) fieldSet(tree));
        ManagedFieldsEntry e = new ManagedFieldsEntry();
        e.setApiVersion(obj.getApiVersion());
        e.setFieldsType("FieldsV1");
        e.setFieldsV1(fields);
        e.setManager(manager);
        e.setOperation("Update");
        e.setTime("2026-11-25T19:00:00Z");
        return e;
    }

    /** The FieldsV1 set of a JSON value, as the API server spells it. */
    private static Object fieldSet(Object value) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (value instanceof Map<?, ?> map) {
            out.put(".", Map.of());
            map.forEach((k, v) -> out.put("f:" + k, fieldSet(v)));
        } else if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                Object item = list.get(i);
                if (item instanceof Map<?, ?> m && !m.isEmpty()) {
                    var first = m.entrySet().iterator().next();
                    out.put("k:{\"" + first.getKey() + "\":" + JSON.asJson(first.getValue()) + "}", fieldSet(item));
                } else {
                    out.put("v:" + JSON.asJson(item), Map.of());
                }
            }
        }
        return out;
    }
}
