package io.nodemesh.wireguard.internal;

import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.uapi.PeerUpdate;

import java.net.InetSocketAddress;
import java.util.List;

/** What one remote node should look like as a peer of this node: the unit that is diffed, applied and rolled back. */
record DesiredPeer(String node, WireguardKey key, InetSocketAddress endpoint, int keepalive, List<String> allowedIps) {
    DesiredPeer {
        allowedIps = List.copyOf(allowedIps);
    }

    PeerUpdate upsert() {
        return PeerUpdate.upsert(node, key, endpoint, keepalive, allowedIps);
    }

    PeerUpdate removal() {
        return PeerUpdate.remove(node, key);
    }
}
