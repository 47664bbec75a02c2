package io.nodemesh.wireguard.internal;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.PresharedSecret;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardSettings;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What a state means for one node: its peers (every other node with a key), and what strict mode guards.
 * Pure functions of the state and settings, unit-tested without root.
 */
record PeerPlan(Map<String, DesiredPeer> peers, boolean strict, Set<String> guardedCidrs, Set<String> localCidrs) {
    static final PeerPlan NONE = new PeerPlan(Map.of(), false, Set.of(), Set.of());

    PeerPlan {
        peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
        guardedCidrs = Set.copyOf(guardedCidrs);
        localCidrs = Set.copyOf(localCidrs);
    }

    /** Assumes {@code state} passed validation (keys parse, addresses are literals). */
    static PeerPlan of(MeshState state, WireguardSettings settings) {
        return of(state, settings, Optional.empty(), null);
    }

    /**
     * As {@link #of(MeshState, WireguardSettings)}, with each peer's preshared key derived from {@code secret} and the
     * pair ({@code own}, peer key) when a secret is given.
     */
    static PeerPlan of(
            MeshState state, WireguardSettings settings, Optional<PresharedSecret> secret, WireguardKey own) {
        if (state.encryption().mode() != EncryptionSpec.Mode.WIREGUARD) return NONE;
        Map<String, DesiredPeer> peers = new LinkedHashMap<>();
        Set<String> guarded = new LinkedHashSet<>(settings.strictCidrs());
        Set<String> local = new LinkedHashSet<>();
        for (Node n : state.nodes()) {
            if (n.name().equals(settings.node())) {
                local.addAll(n.podCidrs());
                continue;
            }
            guarded.addAll(n.podCidrs()); // keyed or not: a node without a peer fails closed
            if (n.wireguardPublicKey().isEmpty() || n.addresses().isEmpty()) continue;
            var address = IpAddresses.parse(n.addresses().getFirst()).orElseThrow();
            WireguardKey peerKey = WireguardKey.parse(n.wireguardPublicKey());
            peers.put(
                    n.name(),
                    new DesiredPeer(
                            n.name(),
                            peerKey,
                            new InetSocketAddress(address, settings.peerPort()),
                            settings.keepalive(),
                            n.podCidrs(),
                            secret.map(s -> s.pskFor(own, peerKey))));
        }
        boolean strict = state.encryption().strict();
        return new PeerPlan(peers, strict, strict ? guarded : Set.of(), strict ? local : Set.of());
    }

    /** The same plan with every peer's preshared key derived anew (after this node's key changed). */
    PeerPlan withPresharedKeys(Optional<PresharedSecret> secret, WireguardKey own) {
        Map<String, DesiredPeer> next = new LinkedHashMap<>();
        peers.forEach((name, p) -> next.put(name, p.withPresharedKey(secret.map(s -> s.pskFor(own, p.key())))));
        return new PeerPlan(next, strict, guardedCidrs, localCidrs);
    }

    /** The pod CIDRs of {@code node}'s peer, or none when it is not a peer. */
    List<String> cidrsOf(String node) {
        DesiredPeer p = peers.get(node);
        return p == null ? List.of() : p.allowedIps();
    }
}
