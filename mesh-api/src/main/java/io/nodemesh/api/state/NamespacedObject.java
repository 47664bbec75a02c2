package io.nodemesh.api.state;

/** An object of the mesh that lives in a namespace: a workload, service, policy or route. */
public sealed interface NamespacedObject permits Workload, Service, Policy, HttpRoute {
    String namespace();

    String name();

    /** Its typed key. */
    default ObjectKey objectKey() {
        return new ObjectKey(namespace(), name());
    }

    /** {@code namespace/name}: the key other objects refer to it by, and the key of maps over the state. */
    default String key() {
        return ObjectKey.format(namespace(), name());
    }
}
