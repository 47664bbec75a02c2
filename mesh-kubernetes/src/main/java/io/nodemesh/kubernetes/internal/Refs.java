package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.nodemesh.api.state.Identities;

/** How Kubernetes objects and the references inside nodemesh's resources become MeshState keys. */
final class Refs {
    private Refs() {}

    /** {@code namespace/name}, or just the name for a cluster-scoped object. */
    static String key(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return ns == null || ns.isEmpty()
                ? o.getMetadata().getName()
                : ns + "/" + o.getMetadata().getName();
    }

    /** A service reference: {@code name} means the referring object's namespace. */
    static String service(String ref, String namespace) {
        if (ref == null) return null;
        return ref.contains("/") ? ref : namespace + "/" + ref;
    }

    /**
     * An identity written in a MeshPolicy: a SPIFFE id, {@code host}, {@code *}, or {@code namespace/serviceaccount}.
     * Anything else is returned unchanged, so validation names it as an unknown identity.
     */
    static String identity(String ref, String trustDomain) {
        if (ref == null) return "";
        if (ref.startsWith("spiffe://") || ref.equals(Identities.HOST) || ref.equals(Identities.ANY)) return ref;
        int slash = ref.indexOf('/');
        if (slash > 0 && slash == ref.lastIndexOf('/')) {
            return Identities.spiffe(trustDomain, ref.substring(0, slash), ref.substring(slash + 1));
        }
        return ref;
    }
}
