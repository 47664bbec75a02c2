package io.nodemesh.contract.gen;

import io.nodemesh.api.state.MeshState;

/**
 * A valid state broken in one place.
 *
 * @param kind     what was broken, e.g. {@code service.port.outOfRange} (for jqwik statistics and failure messages)
 * @param original the valid state
 * @param state    the broken state
 * @param path     the violation path {@link MeshState#validate()} must report, e.g. {@code services[shop/web].ports[0].port}
 */
public record Corruption(String kind, MeshState original, MeshState state, String path) {
    @Override
    public String toString() {
        return kind + " at " + path;
    }
}
