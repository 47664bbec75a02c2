package io.nodemesh.wireguard.internal;

import io.nodemesh.api.spi.UndoLog;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.DeviceUpdate;
import io.nodemesh.wireguard.uapi.PeerState;
import io.nodemesh.wireguard.uapi.PeerUpdate;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first apply after adoption: brings a device an earlier dataplane left running to the desired plan, matching
 * peers by public key (the device knows no node names). A peer that is already as desired is not touched, one that
 * differs is updated in place (same key, so its session stays), and only peers no longer desired are removed; the
 * strict-mode table is replaced in one transaction, never removed first. So adopting opens no plaintext or dropped
 * window. Every step registers its undo, so a failure leaves the device as it was found.
 */
final class AdoptionReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(AdoptionReconciler.class);

    private final WireguardSettings settings;
    private final UserspaceDevice device;
    private final TunnelRoutes routes;
    private final StrictModeFirewall firewall;
    private final Runnable tableRebuilt;

    AdoptionReconciler(
            WireguardSettings settings,
            UserspaceDevice device,
            TunnelRoutes routes,
            StrictModeFirewall firewall,
            Runnable tableRebuilt) {
        this.settings = settings;
        this.device = device;
        this.routes = routes;
        this.firewall = firewall;
        this.tableRebuilt = tableRebuilt;
    }

    void reconcile(AdoptedDevice found, PeerPlan want, UndoLog undo) {
        if (want.strict()) {
            firewall.apply(want.guardedCidrs(), want.localCidrs());
            tableRebuilt.run();
            undo.onFailure(
                    "the strict-mode table as found",
                    () -> found.strictTable().ifPresentOrElse(firewall::restore, firewall::remove));
        }
        Set<String> wantedKeys =
                want.peers().values().stream().map(p -> p.key().base64()).collect(Collectors.toSet());
        int kept = 0;
        for (PeerState had : found.device().peers()) {
            if (wantedKeys.contains(had.publicKey().base64())) continue;
            for (String cidr : had.allowedIps()) {
                routes.remove(cidr);
                undo.onFailure("the route for " + cidr, () -> routes.add(cidr));
            }
            uapi(PeerUpdate.remove("", had.publicKey()));
            undo.onFailure("peer " + had.publicKey(), () -> uapi(asFound(had)));
        }
        for (DesiredPeer peer : want.peers().values()) {
            Optional<PeerState> had = found.device().peer(peer.key());
            if (had.isEmpty()) {
                uapi(peer.upsert());
                undo.onFailure("removing peer " + peer.node(), () -> uapi(peer.removal()));
            } else if (!sameAs(had.get(), peer)) {
                uapi(peer.upsert());
                undo.onFailure("peer " + peer.node() + " as found", () -> uapi(asFound(had.get())));
            } else {
                kept++;
                // The device never reports a preshared key, so set it again: that changes no session.
                peer.presharedKey()
                        .ifPresent(psk -> uapi(new PeerUpdate(
                                peer.node(),
                                peer.key(),
                                false,
                                true,
                                Optional.empty(),
                                OptionalInt.empty(),
                                false,
                                List.of(),
                                Optional.of(psk))));
            }
            for (String cidr : peer.allowedIps()) {
                boolean existed = had.map(h -> h.allowedIps().contains(cidr)).orElse(false);
                routes.add(cidr); // "ip route replace": a route already there stays, with no gap
                if (!existed) undo.onFailure("removing the route for " + cidr, () -> routes.remove(cidr));
            }
        }
        if (!want.strict() && found.strictTable().isPresent()) {
            firewall.remove(); // last, as in any apply: the guard stayed while peers moved
            undo.onFailure(
                    "the strict-mode table as found",
                    () -> firewall.restore(found.strictTable().get()));
        }
        LOG.info(
                "wireguard: node {} reconciled adopted {}: {} of {} peers kept untouched, {} found",
                settings.node(),
                settings.iface(),
                kept,
                want.peers().size(),
                found.device().peers().size());
    }

    private static boolean sameAs(PeerState had, DesiredPeer peer) {
        return had.endpoint().equals(Optional.of(peer.endpoint()))
                && had.persistentKeepalive() == peer.keepalive()
                && new HashSet<>(had.allowedIps()).equals(new HashSet<>(peer.allowedIps()))
                && had.hasPresharedKey() == peer.presharedKey().isPresent();
    }

    /** The peer as the device reported it, to put back on failure (its preshared key, never read back, stays). */
    private static PeerUpdate asFound(PeerState had) {
        return new PeerUpdate(
                "",
                had.publicKey(),
                false,
                false,
                had.endpoint(),
                OptionalInt.of(had.persistentKeepalive()),
                true,
                had.allowedIps());
    }

    private void uapi(PeerUpdate update) {
        device.uapi().set(DeviceUpdate.peer(update));
    }
}
