package io.nodemesh.api.state;

import java.util.List;
import java.util.Map;

/**
 * A pod (or any meshed workload) on a node.
 *
 * @param namespace namespace, a DNS label
 * @param name      name, unique in its namespace
 * @param node      the node it runs on
 * @param ips       its addresses (IPv4 and/or IPv6)
 * @param identity  its SPIFFE identity, e.g. {@code spiffe://cluster.local/ns/shop/sa/frontend}
 * @param labels    labels that service selectors match
 * @param placement its network namespace and cgroup on the node
 */
public record Workload(String namespace, String name, String node, List<String> ips, String identity,
                       Map<String, String> labels, Placement placement) {
    public Workload {
        ips = Lists.copy(ips);
        labels = Lists.copy(labels);
        placement = placement == null ? Placement.NONE : placement;
    }

    /** {@code namespace/name}, the way other objects refer to it. */
    public String key() {
        return namespace + "/" + name;
    }
}
