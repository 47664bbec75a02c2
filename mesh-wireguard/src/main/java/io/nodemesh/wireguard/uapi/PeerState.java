package io.nodemesh.wireguard.uapi;

import io.nodemesh.wireguard.WireguardKey;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * One peer as the device reports it ({@code get=1}).
 *
 * @param lastHandshake when the last handshake completed, {@link Instant#EPOCH} if never; a peer that was removed and
 *                      added again starts over at EPOCH, which is how a flap shows
 * @param rxBytes       bytes received from the peer since it was added
 * @param txBytes       bytes sent to the peer since it was added
 * @param hasPresharedKey whether the peer has a (non-zero) preshared key; the key itself is never kept
 */
public record PeerState(
        WireguardKey publicKey,
        Optional<InetSocketAddress> endpoint,
        List<String> allowedIps,
        int persistentKeepalive,
        Instant lastHandshake,
        long rxBytes,
        long txBytes,
        boolean hasPresharedKey) {
    public PeerState {
        allowedIps = List.copyOf(allowedIps);
    }

    public PeerState(
            WireguardKey publicKey,
            Optional<InetSocketAddress> endpoint,
            List<String> allowedIps,
            int persistentKeepalive,
            Instant lastHandshake,
            long rxBytes,
            long txBytes) {
        this(publicKey, endpoint, allowedIps, persistentKeepalive, lastHandshake, rxBytes, txBytes, false);
    }

    public boolean hasHandshake() {
        return lastHandshake.isAfter(Instant.EPOCH);
    }
}
