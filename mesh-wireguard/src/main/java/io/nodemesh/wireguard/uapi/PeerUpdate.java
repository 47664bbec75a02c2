package io.nodemesh.wireguard.uapi;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.wireguard.PresharedKey;
import io.nodemesh.wireguard.WireguardKey;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A change to one peer in a {@code set=1} request. Only the fields given are sent, so the device leaves the rest of
 * the peer — and every peer not named — exactly as it was.
 *
 * @param name                the peer's name in error messages (the mesh node name); never sent
 * @param remove              remove the peer; nothing else is sent
 * @param updateOnly          change the peer only if it exists, never create it
 * @param endpoint            where to send its packets; an IP literal, never a host name
 * @param persistentKeepalive seconds between keepalives (0 turns them off), or empty to leave as is
 * @param replaceAllowedIps   drop the peer's allowed IPs before adding {@code allowedIps}
 * @param allowedIps          CIDRs routed to and accepted from the peer
 * @param presharedKey        the pair's preshared key, or empty to leave as is (it never prints)
 */
public record PeerUpdate(
        String name,
        WireguardKey publicKey,
        boolean remove,
        boolean updateOnly,
        Optional<InetSocketAddress> endpoint,
        OptionalInt persistentKeepalive,
        boolean replaceAllowedIps,
        List<String> allowedIps,
        Optional<PresharedKey> presharedKey) {
    public PeerUpdate {
        presharedKey = presharedKey == null ? Optional.empty() : presharedKey;
        Objects.requireNonNull(publicKey, "publicKey");
        name = name == null || name.isEmpty() ? publicKey.base64() : name;
        endpoint = endpoint == null ? Optional.empty() : endpoint;
        persistentKeepalive = persistentKeepalive == null ? OptionalInt.empty() : persistentKeepalive;
        allowedIps = List.copyOf(allowedIps);
        if (endpoint.isPresent() && endpoint.get().isUnresolved()) {
            throw new IllegalArgumentException(
                    "peer " + name + ": endpoint " + endpoint.get() + " must be an IP address, not a host name");
        }
        if (persistentKeepalive.isPresent()
                && (persistentKeepalive.getAsInt() < 0 || persistentKeepalive.getAsInt() > 65535)) {
            throw new IllegalArgumentException("peer " + name + ": persistent keepalive "
                    + persistentKeepalive.getAsInt() + " is outside 0..65535");
        }
        for (String cidr : allowedIps) {
            if (IpAddresses.parseCidr(cidr).isEmpty()) {
                throw new IllegalArgumentException(
                        "peer " + name + ": allowed IP '" + cidr + "' is not a CIDR such as 10.1.0.0/24");
            }
        }
    }

    /** Without a preshared key line: the device keeps whatever preshared key the peer has. */
    public PeerUpdate(
            String name,
            WireguardKey publicKey,
            boolean remove,
            boolean updateOnly,
            Optional<InetSocketAddress> endpoint,
            OptionalInt persistentKeepalive,
            boolean replaceAllowedIps,
            List<String> allowedIps) {
        this(
                name,
                publicKey,
                remove,
                updateOnly,
                endpoint,
                persistentKeepalive,
                replaceAllowedIps,
                allowedIps,
                Optional.empty());
    }

    /** Creates the peer or sets all of it: endpoint, keepalive and exactly these allowed IPs. */
    public static PeerUpdate upsert(
            String name, WireguardKey key, InetSocketAddress endpoint, int keepalive, List<String> allowedIps) {
        return upsert(name, key, endpoint, keepalive, allowedIps, Optional.empty());
    }

    /** As {@link #upsert(String, WireguardKey, InetSocketAddress, int, List)}, and sets the preshared key when given. */
    public static PeerUpdate upsert(
            String name,
            WireguardKey key,
            InetSocketAddress endpoint,
            int keepalive,
            List<String> allowedIps,
            Optional<PresharedKey> presharedKey) {
        return new PeerUpdate(
                name,
                key,
                false,
                false,
                Optional.of(endpoint),
                OptionalInt.of(keepalive),
                true,
                allowedIps,
                presharedKey);
    }

    public static PeerUpdate remove(String name, WireguardKey key) {
        return new PeerUpdate(name, key, true, false, Optional.empty(), OptionalInt.empty(), false, List.of());
    }

    @Override
    public String toString() {
        return "PeerUpdate[" + name + " " + publicKey + (remove ? " remove" : "") + (updateOnly ? " update_only" : "")
                + endpoint.map(e -> " endpoint=" + e).orElse("") + " allowedIps=" + allowedIps
                + (presharedKey.isPresent() ? " preshared_key=<redacted>" : "") + "]";
    }
}
