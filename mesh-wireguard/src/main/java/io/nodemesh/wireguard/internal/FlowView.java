package io.nodemesh.wireguard.internal;

import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardSettings;
import java.util.HashMap;
import java.util.Map;

/**
 * How the tunnel's counters map to flow ends, rebuilt on every apply: this node, each peer (by key), and the node
 * owning each guarded CIDR. A node is a {@link FlowPeer} with its underlay address, the WireGuard port and identity
 * {@code node/<name>}: the tunnel carries whole nodes' traffic and knows nothing finer.
 */
record FlowView(FlowPeer self, Map<WireguardKey, FlowPeer> peers, Map<String, FlowPeer> cidrOwners) {
    static final FlowView EMPTY = new FlowView(new FlowPeer("", 0, "", ""), Map.of(), Map.of());

    FlowView {
        peers = Map.copyOf(peers);
        cidrOwners = Map.copyOf(cidrOwners);
    }

    static FlowView of(MeshState state, PeerPlan plan, WireguardSettings settings) {
        FlowPeer self = new FlowPeer("", settings.listenPort(), "", identity(settings.node()));
        Map<String, FlowPeer> owners = new HashMap<>();
        for (Node n : state.nodes()) {
            FlowPeer peer = new FlowPeer(
                    n.addresses().isEmpty() ? "" : n.addresses().getFirst(),
                    n.name().equals(settings.node()) ? settings.listenPort() : settings.peerPort(),
                    "",
                    identity(n.name()));
            if (n.name().equals(settings.node())) self = peer;
            for (String cidr : n.podCidrs()) owners.put(cidr, peer);
        }
        Map<WireguardKey, FlowPeer> peers = new HashMap<>();
        for (DesiredPeer p : plan.peers().values()) {
            peers.put(
                    p.key(),
                    new FlowPeer(
                            p.endpoint().getAddress().getHostAddress(),
                            p.endpoint().getPort(),
                            "",
                            identity(p.node())));
        }
        return new FlowView(self, peers, owners);
    }

    static String identity(String node) {
        return "node/" + node;
    }
}
