package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import java.util.HashMap;
import java.util.Map;

/**
 * An informer's item store that drops what the agent never reads before an object is cached: {@code
 * metadata.managedFields} (server-side apply's field ownership, often larger than the object itself) and the
 * {@value #LAST_APPLIED} annotation ({@code kubectl apply}'s copy of the whole object). On a real cluster these are
 * most of a cached object's size; every agent holds every pod, service and slice of the cluster.
 * <p>
 * The object is changed in place: it was just deserialized from a list or watch and nothing else holds it (the event
 * handlers receive this same, stripped object). Status writes are unaffected: a PUT to {@code /status} ignores
 * metadata, and an update without managedFields leaves the server's untouched.
 */
final class StrippingItemStore<T extends HasMetadata> extends BasicItemStore<T> {
    static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";

    StrippingItemStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public T put(String key, T obj) {
        strip(obj);
        return super.put(key, obj);
    }

    static <T extends HasMetadata> T strip(T obj) {
        ObjectMeta meta = obj.getMetadata();
        if (meta == null) return obj;
        meta.setManagedFields(null);
        Map<String, String> annotations = meta.getAnnotations();
        if (annotations != null && annotations.containsKey(LAST_APPLIED)) {
            Map<String, String> kept = new HashMap<>(annotations);
            kept.remove(LAST_APPLIED);
            meta.setAnnotations(kept.isEmpty() ? null : kept);
        }
        return obj;
    }
}
