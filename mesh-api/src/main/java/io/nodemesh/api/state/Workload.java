package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
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
public record Workload(
        String namespace,
        String name,
        String node,
        List<String> ips,
        String identity,
        Map<String, String> labels,
        Placement placement)
        implements NamespacedObject {
    public Workload {
        ips = Lists.copy(ips);
        labels = Lists.copy(labels);
        placement = placement == null ? Placement.NONE : placement;
    }

    public static Builder builder(String namespace, String name) {
        return new Builder(namespace, name);
    }

    public Builder toBuilder() {
        return new Builder(namespace, name)
                .node(node)
                .ips(ips)
                .identity(identity)
                .labels(labels)
                .placement(placement);
    }

    /** Collects a workload's fields; the placement defaults to {@link Placement#NONE}. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private String node = "";
        private final List<String> ips = new ArrayList<>();
        private String identity = "";
        private final Map<String, String> labels = new LinkedHashMap<>();
        private Placement placement = Placement.NONE;

        private Builder(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        public Builder node(String n) {
            node = n;
            return this;
        }

        public Builder ip(String ip) {
            ips.add(ip);
            return this;
        }

        public Builder ips(List<String> all) {
            ips.clear();
            ips.addAll(all);
            return this;
        }

        public Builder identity(String spiffeId) {
            identity = spiffeId;
            return this;
        }

        public Builder label(String key, String value) {
            labels.put(key, value);
            return this;
        }

        public Builder labels(Map<String, String> all) {
            labels.clear();
            labels.putAll(all);
            return this;
        }

        public Builder placement(Placement p) {
            placement = p;
            return this;
        }
        /** Lives in network namespace {@code netns} and cgroup {@code cgroup} (relative to the cgroup root). */
        public Builder placement(String netns, String cgroup) {
            return placement(new Placement(netns, cgroup));
        }

        public Workload build() {
            return new Workload(namespace, name, node, ips, identity, labels, placement);
        }
    }
}
