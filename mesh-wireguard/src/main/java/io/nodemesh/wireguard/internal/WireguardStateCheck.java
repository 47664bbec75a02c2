package io.nodemesh.wireguard.internal;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Violation;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardSettings;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * This backend's checks on top of {@link MeshState#validate()}, all run before anything is touched. Each violation
 * names the node (the peer) and the field, e.g. {@code nodes[node-b].addresses[0]: 10.9.0.2 is unreachable ...}.
 */
final class WireguardStateCheck {
    /** Answers whether an underlay address can be routed to from this node; the reason when it cannot. */
    interface Reachability {
        String unreachableReason(String address);
    }

    private WireguardStateCheck() {}

    static List<Violation> check(
            MeshState state,
            WireguardSettings settings,
            WireguardKey own,
            Predicate<Node> endpointChanged,
            Reachability reach,
            boolean nftAvailable) {
        List<Violation> violations = new ArrayList<>(state.validate());
        if (!violations.isEmpty() || state.encryption().mode() != EncryptionSpec.Mode.WIREGUARD) return violations;
        if (state.encryption().strict() && !nftAvailable) {
            violations.add(new Violation(
                    "encryption.strict", "strict mode needs nftables: nft not found (apt-get install nftables)"));
        }
        Map<WireguardKey, String> keyOwners = new HashMap<>();
        for (Node n : state.nodes()) {
            if (n.name().equals(settings.node()) || n.wireguardPublicKey().isEmpty()) continue;
            String at = "nodes[" + n.name() + "]";
            WireguardKey key = WireguardKey.parse(n.wireguardPublicKey());
            if (key.isZero()) {
                violations.add(new Violation(
                        at + ".wireguardPublicKey", "the all-zero key is not a usable WireGuard public key"));
            } else if (key.equals(own)) {
                violations.add(new Violation(
                        at + ".wireguardPublicKey",
                        "is the public key of this node (" + settings.node() + "), not of a peer"));
            } else {
                String other = keyOwners.putIfAbsent(key, n.name());
                if (other != null)
                    violations.add(new Violation(
                            at + ".wireguardPublicKey",
                            "is also the key of node " + other + "; each peer needs its own key"));
            }
            if (n.addresses().isEmpty()) {
                violations.add(new Violation(
                        at + ".addresses", "a WireGuard peer needs an underlay address for its endpoint"));
            } else if (endpointChanged.test(n)) {
                String why = reach.unreachableReason(n.addresses().getFirst());
                if (why != null) {
                    violations.add(new Violation(
                            at + ".addresses[0]",
                            n.addresses().getFirst() + " is unreachable from node " + settings.node() + ": " + why));
                }
            }
        }
        return violations;
    }
}
