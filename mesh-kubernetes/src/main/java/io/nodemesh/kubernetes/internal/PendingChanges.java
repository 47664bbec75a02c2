package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import java.util.HashSet;
import java.util.Set;

/**
 * What changed since the last assembly, filled by informer threads and drained by the feed thread: only the services
 * and pods named here are translated again, which keeps one endpoint change cheap in a cluster of thousands.
 */
final class PendingChanges {
    /** One drained batch. */
    record Batch(
            boolean everything,
            boolean nodes,
            boolean config,
            boolean customResources,
            Set<String> services,
            Set<String> pods) {}

    private boolean everything = true; // the first assembly translates all
    private boolean nodes;
    private boolean config;
    private boolean customResources;
    private Set<String> services = new HashSet<>();
    private Set<String> pods = new HashSet<>();

    synchronized void record(ResourceKind kind, HasMetadata object) {
        switch (kind) {
            case NODE -> nodes = true;
            case POD -> pods.add(Refs.key(object));
            case SERVICE -> services.add(Refs.key(object));
            case ENDPOINT_SLICE -> services.addAll(InformerCache.serviceOf((EndpointSlice) object));
            case MESH_CONFIG -> config = true;
            case MESH_POLICY, MESH_HTTP_ROUTE, HTTP_ROUTE, GRPC_ROUTE -> customResources = true;
        }
    }

    synchronized void everything() {
        everything = true;
    }

    synchronized Batch drain() {
        Batch b = new Batch(everything, nodes, config, customResources, services, pods);
        everything = nodes = config = customResources = false;
        services = new HashSet<>();
        pods = new HashSet<>();
        return b;
    }

    /** Puts a batch back, when it could not be applied yet (caches not synced). */
    synchronized void restore(Batch b) {
        everything |= b.everything();
        nodes |= b.nodes();
        config |= b.config();
        customResources |= b.customResources();
        services.addAll(b.services());
        pods.addAll(b.pods());
    }
}
