package io.nodemesh.wireguard.internal;

import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.spi.Programmer;
import io.nodemesh.api.spi.StateChange;
import io.nodemesh.api.spi.UndoLog;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Violation;
import io.nodemesh.netlab.CommandException;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.PresharedSecret;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.DeviceUpdate;
import io.nodemesh.wireguard.uapi.PeerUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireGuard backend's step of the apply pipeline: a state's peers, their routes and the strict-mode guard. Each
 * change touches only the peers whose desired form changed, one UAPI request per peer, so the sessions of the others
 * never notice (no flap). Order: strict-mode guard first (so nothing can leak while peers move), then removals, then
 * additions and updates, each registering its undo.
 */
final class PeerProgrammer implements Programmer {
    private static final Logger LOG = LoggerFactory.getLogger(PeerProgrammer.class);

    private final WireguardSettings settings;
    private final Netns host;
    private final UserspaceDevice device;
    private final TunnelRoutes routes;
    private final StrictModeFirewall firewall;
    private final FlowPoller poller;
    private final boolean nftAvailable;
    private final Supplier<WireguardKey> ownKey;
    /** Told (was, now) on every commit, to watch the peers whose key changed. */
    private final BiConsumer<PeerPlan, PeerPlan> onCommit;

    private volatile PeerPlan programmed = PeerPlan.NONE; // volatile: the flow poller reads whether strict mode is on
    /** The mesh secret as last programmed (read on open, then on every apply), empty without a secret file. */
    private Optional<PresharedSecret> secret;

    /** What open found running, until the first apply has reconciled it. */
    private Optional<AdoptedDevice> adopted;

    private PeerPlan pendingPlan;
    private Optional<PresharedSecret> pendingSecret;

    PeerProgrammer(
            WireguardSettings settings,
            Netns host,
            UserspaceDevice device,
            TunnelRoutes routes,
            StrictModeFirewall firewall,
            FlowPoller poller,
            boolean nftAvailable,
            Optional<PresharedSecret> secret,
            Optional<AdoptedDevice> adopted,
            Supplier<WireguardKey> ownKey,
            BiConsumer<PeerPlan, PeerPlan> onCommit) {
        this.settings = settings;
        this.host = host;
        this.device = device;
        this.routes = routes;
        this.firewall = firewall;
        this.poller = poller;
        this.nftAvailable = nftAvailable;
        this.secret = secret;
        this.adopted = adopted;
        this.ownKey = ownKey;
        this.onCommit = onCommit;
    }

    static Optional<PresharedSecret> readSecret(WireguardSettings settings) {
        return settings.presharedSecretFile().map(PresharedSecret::load);
    }

    PeerPlan programmed() {
        return programmed;
    }

    @Override
    public List<Violation> check(StateChange change) {
        return WireguardStateCheck.check(
                change.next(), settings, ownKey.get(), this::endpointChanged, this::unreachableReason, nftAvailable);
    }

    /**
     * An adopted device is reconciled by the first apply, even of the state the pipeline starts from; a changed secret
     * file takes effect on the next apply, even of the same state.
     */
    @Override
    public boolean needsProgramming() {
        if (adopted.isPresent()) return true;
        if (settings.presharedSecretFile().isEmpty()) return false;
        try {
            Optional<PresharedSecret> now = readSecret(settings);
            return now.isPresent() != secret.isPresent()
                    || (now.isPresent() && !now.get().sameAs(secret.get()));
        } catch (IllegalArgumentException e) {
            return true; // programming reads it again and reports what is wrong
        }
    }

    @Override
    public void program(StateChange change, UndoLog undo) {
        warnIfOwnKeyDiffers(change.next());
        Optional<PresharedSecret> nextSecret;
        try {
            nextSecret = readSecret(settings);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException(e.getMessage(), e);
        }
        PeerPlan want = PeerPlan.of(change.next(), settings, nextSecret, ownKey.get());
        poller.pollQuietly(); // account the traffic so far before peers or the strict-mode table (and their counters)
        // change
        if (adopted.isPresent())
            new AdoptionReconciler(settings, device, routes, firewall, poller::dropCountersReset)
                    .reconcile(adopted.get(), want, undo);
        else program(programmed, want, undo);
        pendingPlan = want;
        pendingSecret = nextSecret;
    }

    @Override
    public void committed(StateChange change) {
        PeerPlan was = programmed;
        programmed = Objects.requireNonNull(pendingPlan);
        secret = pendingSecret;
        adopted = Optional.empty();
        pendingPlan = null;
        onCommit.accept(was, programmed);
        poller.view(FlowView.of(change.next(), programmed, settings));
    }

    /**
     * Each pair's preshared key is derived from both public keys, so our new key changes all of them: set the new ones
     * now (one request per peer), matching what each peer derives when it applies the state with our new key. A peer
     * that fails keeps its old preshared key and is reported; the rotation itself stands (the key is already in use).
     */
    void refreshPresharedKeys() {
        if (secret.isEmpty() || programmed.peers().isEmpty()) return;
        PeerPlan next = programmed.withPresharedKeys(secret, ownKey.get());
        Map<String, DesiredPeer> done = new LinkedHashMap<>(programmed.peers());
        try {
            for (DesiredPeer peer : next.peers().values()) {
                uapi(peer.upsert());
                done.put(peer.node(), peer);
            }
        } catch (RuntimeException e) {
            LOG.error(
                    "wireguard: node {} rotated its key but could not update every preshared key: {}",
                    settings.node(),
                    e.getMessage());
        } finally {
            programmed = new PeerPlan(done, programmed.strict(), programmed.guardedCidrs(), programmed.localCidrs());
        }
    }

    /** Re-creates a peer (one request: remove, add) so it initiates a handshake at once. */
    void recreate(WireguardKey key) {
        programmed.peers().values().stream()
                .filter(p -> p.key().equals(key))
                .findFirst()
                .ifPresent(peer -> {
                    LOG.debug(
                            "wireguard: node {} re-creating peer {} which has had no handshake since its key changed",
                            settings.node(),
                            peer.node());
                    device.uapi().set(DeviceUpdate.peers(List.of(peer.removal(), peer.upsert())));
                });
    }

    private void program(PeerPlan was, PeerPlan want, UndoLog undo) {
        if (want.strict()
                && (!was.strict()
                        || !want.guardedCidrs().equals(was.guardedCidrs())
                        || !want.localCidrs().equals(was.localCidrs()))) {
            firewall.apply(want.guardedCidrs(), want.localCidrs());
            poller.dropCountersReset();
            undo.onFailure("the strict-mode table", () -> {
                if (was.strict()) firewall.apply(was.guardedCidrs(), was.localCidrs());
                else firewall.remove();
            });
        }
        for (DesiredPeer old : was.peers().values()) {
            if (!want.peers().containsKey(old.node())) removePeer(old, undo);
        }
        for (DesiredPeer peer : want.peers().values()) {
            DesiredPeer old = was.peers().get(peer.node());
            if (old == null) addPeer(peer, undo);
            else if (!old.equals(peer)) changePeer(old, peer, undo);
        }
        if (!want.strict() && was.strict()) {
            firewall.remove(); // last: until now the guard kept anything from leaking while peers moved
            undo.onFailure("the strict-mode table", () -> firewall.apply(was.guardedCidrs(), was.localCidrs()));
        }
    }

    private void addPeer(DesiredPeer peer, UndoLog undo) {
        uapi(peer.upsert());
        undo.onFailure("removing peer " + peer.node(), () -> uapi(peer.removal()));
        for (String cidr : peer.allowedIps()) addRoute(peer, cidr, undo);
    }

    private void removePeer(DesiredPeer old, UndoLog undo) {
        for (String cidr : old.allowedIps()) removeRoute(old, cidr, undo);
        uapi(old.removal());
        undo.onFailure("peer " + old.node(), () -> uapi(old.upsert()));
    }

    /** One request, so allowed IPs move from an old key to a new one at once (key rotation). */
    private void changePeer(DesiredPeer old, DesiredPeer peer, UndoLog undo) {
        if (old.key().equals(peer.key())) {
            uapi(peer.upsert());
            undo.onFailure("peer " + old.node(), () -> uapi(old.upsert()));
        } else {
            device.uapi().set(DeviceUpdate.peers(List.of(old.removal(), peer.upsert())));
            undo.onFailure(
                    "peer " + old.node() + "'s old key",
                    () -> device.uapi().set(DeviceUpdate.peers(List.of(peer.removal(), old.upsert()))));
        }
        for (String cidr : peer.allowedIps()) if (!old.allowedIps().contains(cidr)) addRoute(peer, cidr, undo);
        for (String cidr : old.allowedIps()) if (!peer.allowedIps().contains(cidr)) removeRoute(old, cidr, undo);
    }

    private void addRoute(DesiredPeer peer, String cidr, UndoLog undo) {
        try {
            routes.add(cidr);
        } catch (CommandException e) {
            throw new DataplaneException(
                    "peer " + peer.node() + ": route for podCidrs " + cidr + " failed: " + e.getMessage(), e);
        }
        undo.onFailure("removing the route for " + cidr, () -> routes.remove(cidr));
    }

    private void removeRoute(DesiredPeer peer, String cidr, UndoLog undo) {
        try {
            routes.remove(cidr);
        } catch (CommandException e) {
            throw new DataplaneException(
                    "peer " + peer.node() + ": removing route for podCidrs " + cidr + " failed: " + e.getMessage(), e);
        }
        undo.onFailure("the route for " + cidr, () -> routes.add(cidr));
    }

    private void uapi(PeerUpdate update) {
        device.uapi().set(DeviceUpdate.peer(update));
    }

    private boolean endpointChanged(Node n) {
        DesiredPeer old = programmed.peers().get(n.name());
        return old == null
                || !old.endpoint()
                        .getAddress()
                        .getHostAddress()
                        .equals(io.nodemesh.api.state.IpAddresses.canonical(
                                n.addresses().getFirst()));
    }

    /** {@code ip route get} in the node's namespace: the kernel's own answer to "can a packet go there". */
    private String unreachableReason(String address) {
        var r = host.ip("route", "get", address);
        return r.ok() ? null : "no route (" + r.stderr().strip() + ")";
    }

    private void warnIfOwnKeyDiffers(MeshState next) {
        WireguardKey own = ownKey.get();
        next.nodes().stream()
                .filter(n -> n.name().equals(settings.node()))
                .findFirst()
                .filter(n -> !n.wireguardPublicKey().isEmpty()
                        && !n.wireguardPublicKey().equals(own.base64()))
                .ifPresent(n -> LOG.warn(
                        "wireguard: the state carries key {} for node {}, but its key is {}; publish publicKey()",
                        n.wireguardPublicKey(),
                        n.name(),
                        own));
    }
}
