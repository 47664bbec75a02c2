package io.nodemesh.wireguard.uapi;

import io.nodemesh.wireguard.WireguardPrivateKey;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One {@code set=1} request: device fields to change (empty = leave alone) and peer changes, applied in order.
 *
 * @param replacePeers remove every peer not in {@code peers} (used only to bring up a fresh device)
 */
public record DeviceUpdate(
        Optional<WireguardPrivateKey> privateKey,
        OptionalInt listenPort,
        boolean replacePeers,
        List<PeerUpdate> peers) {
    public DeviceUpdate {
        privateKey = privateKey == null ? Optional.empty() : privateKey;
        listenPort = listenPort == null ? OptionalInt.empty() : listenPort;
        peers = List.copyOf(peers);
        listenPort.ifPresent(p -> {
            if (p < 0 || p > 65535) throw new IllegalArgumentException("listen port " + p + " is outside 0..65535");
        });
    }

    public static DeviceUpdate peers(List<PeerUpdate> peers) {
        return new DeviceUpdate(Optional.empty(), OptionalInt.empty(), false, peers);
    }

    public static DeviceUpdate peer(PeerUpdate peer) {
        return peers(List.of(peer));
    }

    public static DeviceUpdate privateKey(WireguardPrivateKey key) {
        return new DeviceUpdate(Optional.of(key), OptionalInt.empty(), false, List.of());
    }
}
