package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.nodemesh.api.state.MeshState;

/**
 * For the benchmark's baseline: translates the whole cluster from the informer caches, as a feed without incremental
 * translation would do on every change.
 */
public final class FullRebuild implements AutoCloseable {
    private final InformerCache cache;
    private final StateAssembler assembler;

    public FullRebuild(KubernetesClient client) {
        cache = new InformerCache(client, (kind, object) -> {});
        assembler = new StateAssembler(cache, client.getKubernetesSerialization());
        cache.start().join();
    }

    /** One full translation; returns the state so the work cannot be optimised away. */
    public MeshState rebuild() {
        PendingChanges everything = new PendingChanges(); // a fresh one starts with "everything"
        return assembler.assemble(everything.drain()).state();
    }

    /** One incremental translation, as the feed does for a batch that names only {@code serviceKey}. */
    public MeshState rebuildOne(String serviceKey) {
        return assembler
                .assemble(new PendingChanges.Batch(
                        false, false, false, false, java.util.Set.of(serviceKey), java.util.Set.of()))
                .state();
    }

    @Override
    public void close() {
        cache.close();
    }
}
