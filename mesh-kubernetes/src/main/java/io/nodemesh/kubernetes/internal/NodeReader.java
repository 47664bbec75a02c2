package io.nodemesh.kubernetes.internal;

import io.fabric8.kubernetes.api.model.NodeAddress;
import io.nodemesh.api.state.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A Kubernetes Node becomes a mesh {@link Node}: addresses, pod CIDRs, its zone label and the WireGuard key its agent
 * published.
 */
final class NodeReader {
    /** The annotation on which each agent publishes its node's WireGuard public key. */
    static final String WIREGUARD_KEY_ANNOTATION = "nodemesh.io/wireguard-public-key";

    /** The well-known label of a node's zone, which services with a locality prefer. */
    static final String ZONE_LABEL = "topology.kubernetes.io/zone";
    /** Its name before Kubernetes 1.17, still set by some installers. */
    static final String LEGACY_ZONE_LABEL = "failure-domain.beta.kubernetes.io/zone";

    private NodeReader() {}

    static Node read(io.fabric8.kubernetes.api.model.Node node) {
        List<String> addresses = new ArrayList<>();
        var status = node.getStatus();
        if (status != null && status.getAddresses() != null) {
            // InternalIP first: that is the underlay other nodes reach it on; ExternalIP only as a fallback.
            for (String type : List.of("InternalIP", "ExternalIP")) {
                for (NodeAddress a : status.getAddresses()) {
                    if (type.equals(a.getType()) && !addresses.contains(a.getAddress())) addresses.add(a.getAddress());
                }
            }
        }
        List<String> cidrs = new ArrayList<>();
        var spec = node.getSpec();
        if (spec != null) {
            if (spec.getPodCIDRs() != null) cidrs.addAll(spec.getPodCIDRs());
            if (spec.getPodCIDR() != null && !cidrs.contains(spec.getPodCIDR())) cidrs.add(spec.getPodCIDR());
        }
        Map<String, String> annotations = node.getMetadata().getAnnotations();
        String key = annotations == null ? "" : annotations.getOrDefault(WIREGUARD_KEY_ANNOTATION, "");
        Map<String, String> labels = node.getMetadata().getLabels();
        String zone = labels == null ? "" : labels.getOrDefault(ZONE_LABEL, labels.getOrDefault(LEGACY_ZONE_LABEL, ""));
        return new Node(node.getMetadata().getName(), addresses, cidrs, key, zone);
    }
}
