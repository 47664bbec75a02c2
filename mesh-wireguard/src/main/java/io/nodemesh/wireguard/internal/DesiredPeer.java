package io.nodemesh.wireguard.internal;

import io.nodemesh.wireguard.PresharedKey;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.uapi.PeerUpdate;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

/**
 * What one remote node should look like as a peer of this node: the unit that is diffed, applied and rolled back.
 * The preshared key is part of it, so a changed mesh secret (or a rotated key on either end) changes every affected
 * peer and each is updated in its own request, like any other change.
 */
record DesiredPeer(
        String node,
        WireguardKey key,
        InetSocketAddress endpoint,
        int keepalive,
        List<String> allowedIps,
        Optional<PresharedKey> presharedKey) {
    DesiredPeer {
        allowedIps = List.copyOf(allowedIps);
        presharedKey = presharedKey == null ? Optional.empty() : presharedKey;
    }

    DesiredPeer(String node, WireguardKey key, InetSocketAddress endpoint, int keepalive, List<String> allowedIps) {
        this(node, key, endpoint, keepalive, allowedIps, Optional.empty());
    }

    PeerUpdate upsert() {
        return PeerUpdate.upsert(node, key, endpoint, keepalive, allowedIps, presharedKey);
    }

    DesiredPeer withPresharedKey(Optional<PresharedKey> psk) {
        return new DesiredPeer(node, key, endpoint, keepalive, allowedIps, psk);
    }

    PeerUpdate removal() {
        return PeerUpdate.remove(node, key);
    }
}
