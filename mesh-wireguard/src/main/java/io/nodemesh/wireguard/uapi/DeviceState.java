package io.nodemesh.wireguard.uapi;

import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import java.util.List;
import java.util.Optional;

/** A WireGuard device as it reports itself ({@code get=1}). The private key prints redacted. */
public record DeviceState(Optional<WireguardPrivateKey> privateKey, int listenPort, int fwmark, List<PeerState> peers) {
    public DeviceState {
        peers = List.copyOf(peers);
    }

    public Optional<PeerState> peer(WireguardKey key) {
        return peers.stream().filter(p -> p.publicKey().equals(key)).findFirst();
    }
}
