package io.nodemesh.contract;

import java.util.List;
import java.util.Map;

/**
 * A workload for a harness to start.
 *
 * @param namespace namespace
 * @param name      name
 * @param node      the node to place it on
 * @param identity  its SPIFFE identity
 * @param labels    its labels
 * @param ports     TCP ports it listens on
 */
public record WorkloadSpec(
        String namespace, String name, String node, String identity, Map<String, String> labels, List<Integer> ports) {
    public WorkloadSpec {
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
    }

    public String key() {
        return namespace + "/" + name;
    }
}
