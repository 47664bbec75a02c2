package io.nodemesh.wireguard.internal;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Violation;
import io.nodemesh.netlab.CommandException;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.PresharedSecret;
import io.nodemesh.wireguard.PrivateKeyFile;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.DeviceUpdate;
import io.nodemesh.wireguard.uapi.PeerUpdate;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one node's wireguard-go device in step with the mesh state. Each apply touches only the peers whose desired
 * form changed, one UAPI request per peer, so the sessions of the others never notice (no flap). Order of a change:
 * strict-mode guard first (so nothing can leak while peers move), then removals, then additions and updates; each
 * step registers its undo, and a failure undoes the steps taken so far, leaving the previous state serving.
 * After a key change (ours or a peer's) the affected peers are watched until their session is back ({@link HandshakeWatch}).
 */
final class UserspaceWireguardDataplane implements WireguardDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(UserspaceWireguardDataplane.class);

    private final WireguardSettings settings;
    private final Netns host;
    private final UserspaceDevice device;
    private final TunnelRoutes routes;
    private final StrictModeFirewall firewall;
    private final FlowHub flows = new FlowHub();
    private final boolean nftAvailable;
    private final HandshakeWatch handshakes = new HandshakeWatch();
    private Thread watcher;
    private final FlowPoller poller;
    /** The mesh secret as last read (on open, then on every apply), empty without {@code presharedSecretFile}. */
    private Optional<PresharedSecret> secret;

    private WireguardPrivateKey key;
    private MeshState state = MeshState.EMPTY;
    private volatile PeerPlan programmed = PeerPlan.NONE; // volatile: the flow poller reads whether strict mode is on
    private long generation;
    private volatile boolean closed;

    private UserspaceWireguardDataplane(WireguardSettings settings, Netns host, UserspaceDevice device,
                                        WireguardPrivateKey key, boolean nftAvailable, Optional<PresharedSecret> secret) {
        this.settings = settings;
        this.host = host;
        this.device = device;
        this.key = key;
        this.routes = new TunnelRoutes(host, settings);
        this.firewall = new StrictModeFirewall(host, settings.iface());
        this.nftAvailable = nftAvailable;
        this.secret = secret;
        this.poller = new FlowPoller(settings.node(), flows, device.uapi()::get,
                () -> programmed.strict() ? firewall.drops() : List.of(), java.time.Clock.systemUTC());
        poller.start(settings.flowInterval(), "wireguard-flows-" + settings.iface());
    }

    static UserspaceWireguardDataplane open(WireguardSettings settings, boolean nftAvailable) {
        Netns host = Netns.named(settings.netns());
        Optional<PresharedSecret> secret;
        try {
            secret = readSecret(settings);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("wireguard on node " + settings.node() + ": " + e.getMessage(), e);
        }
        WireguardPrivateKey key = PrivateKeyFile.loadOrCreate(settings.keyFile());
        UserspaceDevice device = UserspaceDevice.start(settings, host, key);
        LOG.info("wireguard: node {} interface {} (wireguard-go pid {}) public key {}", settings.node(), settings.iface(),
                device.pid(), key.publicKey());
        try {
            return new UserspaceWireguardDataplane(settings, host, device, key, nftAvailable, secret);
        } catch (RuntimeException e) {
            device.close();
            throw e;
        }
    }

    private static Optional<PresharedSecret> readSecret(WireguardSettings settings) {
        return settings.presharedSecretFile().map(PresharedSecret::load);
    }

    @Override
    public String name() {
        return WireguardProvider.NAME;
    }

    @Override
    public synchronized ApplyResult apply(MeshState next) {
        ensureOpen();
        Objects.requireNonNull(next, "state");
        List<Violation> violations = WireguardStateCheck.check(next, settings, key.publicKey(), this::endpointChanged,
                this::unreachableReason, nftAvailable);
        if (!violations.isEmpty()) throw new InvalidStateException(violations);
        warnIfOwnKeyDiffers(next);
        Optional<PresharedSecret> nextSecret;
        try {
            nextSecret = readSecret(settings); // re-read every time: a new secret file takes effect on the next apply
        } catch (IllegalArgumentException e) {
            throw new ApplyException("wireguard on node " + settings.node() + ": " + e.getMessage()
                    + " (nothing changed; the previous state keeps serving)", e);
        }
        PeerPlan want = PeerPlan.of(next, settings, nextSecret, key.publicKey());
        poller.pollQuietly(); // account the traffic so far before peers or the strict-mode table (and their counters) change
        var changes = StateDiff.between(state, next);
        Deque<Runnable> undo = new ArrayDeque<>();
        try {
            program(programmed, want, undo);
        } catch (RuntimeException e) {
            rollBack(undo);
            throw new ApplyException("wireguard on node " + settings.node() + ": " + e.getMessage()
                    + " (rolled back; the previous state keeps serving)", e);
        }
        watchKeyChanges(programmed, want);
        programmed = want;
        secret = nextSecret;
        state = next;
        poller.view(FlowView.of(next, want, settings));
        if (!changes.isEmpty()) generation++;
        return new ApplyResult(generation, changes);
    }

    private void program(PeerPlan was, PeerPlan want, Deque<Runnable> undo) {
        if (want.strict() && (!was.strict() || !want.guardedCidrs().equals(was.guardedCidrs()) || !want.localCidrs().equals(was.localCidrs()))) {
            firewall.apply(want.guardedCidrs(), want.localCidrs());
            poller.dropCountersReset();
            undo.push(() -> {
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
            undo.push(() -> firewall.apply(was.guardedCidrs(), was.localCidrs()));
        }
    }

    /** A peer whose key changed (its node rotated) starts without a session: watch it until it has one. */
    private void watchKeyChanges(PeerPlan was, PeerPlan want) {
        Instant now = Instant.now();
        for (DesiredPeer old : was.peers().values()) {
            DesiredPeer peer = want.peers().get(old.node());
            if (peer == null || !peer.key().equals(old.key())) handshakes.forget(old.key());
            if (peer != null && !peer.key().equals(old.key())) handshakes.watch(peer.key(), peer.node(), now);
        }
        startWatcher();
    }

    private void startWatcher() {
        if (handshakes.isEmpty() || (watcher != null && watcher.isAlive())) return;
        watcher = HandshakeWatch.start(handshakes, () -> !closed, device.uapi()::get, this::recreate);
    }

    /** Re-creates a still-broken peer (one request: remove, add) so it initiates a handshake at once. */
    private synchronized void recreate(WireguardKey key) {
        if (closed) return;
        programmed.peers().values().stream().filter(p -> p.key().equals(key)).findFirst().ifPresent(peer -> {
            LOG.debug("wireguard: node {} re-creating peer {} which has had no handshake since its key changed", settings.node(), peer.node());
            device.uapi().set(DeviceUpdate.peers(List.of(peer.removal(), peer.upsert())));
        });
    }

    private void addPeer(DesiredPeer peer, Deque<Runnable> undo) {
        uapi(peer.upsert());
        undo.push(() -> uapi(peer.removal()));
        for (String cidr : peer.allowedIps()) addRoute(peer, cidr, undo);
    }

    private void removePeer(DesiredPeer old, Deque<Runnable> undo) {
        for (String cidr : old.allowedIps()) removeRoute(old, cidr, undo);
        uapi(old.removal());
        undo.push(() -> uapi(old.upsert()));
    }

    /** One request, so allowed IPs move from an old key to a new one at once (key rotation). */
    private void changePeer(DesiredPeer old, DesiredPeer peer, Deque<Runnable> undo) {
        if (old.key().equals(peer.key())) {
            uapi(peer.upsert());
            undo.push(() -> uapi(old.upsert()));
        } else {
            device.uapi().set(DeviceUpdate.peers(List.of(old.removal(), peer.upsert())));
            undo.push(() -> device.uapi().set(DeviceUpdate.peers(List.of(peer.removal(), old.upsert()))));
        }
        for (String cidr : peer.allowedIps()) if (!old.allowedIps().contains(cidr)) addRoute(peer, cidr, undo);
        for (String cidr : old.allowedIps()) if (!peer.allowedIps().contains(cidr)) removeRoute(old, cidr, undo);
    }

    private void addRoute(DesiredPeer peer, String cidr, Deque<Runnable> undo) {
        try {
            routes.add(cidr);
        } catch (CommandException e) {
            throw new DataplaneException("peer " + peer.node() + ": route for podCidrs " + cidr + " failed: " + e.getMessage(), e);
        }
        undo.push(() -> routes.remove(cidr));
    }

    private void removeRoute(DesiredPeer peer, String cidr, Deque<Runnable> undo) {
        try {
            routes.remove(cidr);
        } catch (CommandException e) {
            throw new DataplaneException("peer " + peer.node() + ": removing route for podCidrs " + cidr + " failed: " + e.getMessage(), e);
        }
        undo.push(() -> routes.add(cidr));
    }

    private void uapi(PeerUpdate update) {
        device.uapi().set(DeviceUpdate.peer(update));
    }

    private void rollBack(Deque<Runnable> undo) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                LOG.error("wireguard on node {}: a rollback step failed: {}", settings.node(), e.getMessage());
            }
        }
    }

    private boolean endpointChanged(Node n) {
        DesiredPeer old = programmed.peers().get(n.name());
        return old == null || !old.endpoint().getAddress().getHostAddress().equals(
                io.nodemesh.api.state.IpAddresses.canonical(n.addresses().getFirst()));
    }

    /** {@code ip route get} in the node's namespace: the kernel's own answer to "can a packet go there". */
    private String unreachableReason(String address) {
        var r = host.ip("route", "get", address);
        return r.ok() ? null : "no route (" + r.stderr().strip() + ")";
    }

    private void warnIfOwnKeyDiffers(MeshState next) {
        next.nodes().stream().filter(n -> n.name().equals(settings.node())).findFirst()
                .filter(n -> !n.wireguardPublicKey().isEmpty() && !n.wireguardPublicKey().equals(key.publicKey().base64()))
                .ifPresent(n -> LOG.warn("wireguard: the state carries key {} for node {}, but its key is {}; publish publicKey()",
                        n.wireguardPublicKey(), n.name(), key.publicKey()));
    }

    @Override
    public synchronized WireguardKey rotateKey() {
        ensureOpen();
        WireguardPrivateKey previous = key;
        WireguardPrivateKey next = WireguardPrivateKey.generate();
        PrivateKeyFile.store(settings.keyFile(), next);
        try {
            device.uapi().set(DeviceUpdate.privateKey(next));
        } catch (RuntimeException e) {
            PrivateKeyFile.store(settings.keyFile(), previous);
            throw new ApplyException("wireguard on node " + settings.node() + ": setting the new key failed, kept the old one: " + e.getMessage(), e);
        }
        key = next;
        refreshPresharedKeys();
        Instant now = Instant.now();
        programmed.peers().values().forEach(p -> handshakes.watch(p.key(), p.node(), now));
        startWatcher();
        LOG.info("wireguard: node {} rotated its key, new public key {}", settings.node(), next.publicKey());
        return next.publicKey();
    }

    /**
     * Each pair's preshared key is derived from both public keys, so our new key changes all of them: set the new ones
     * now (one request per peer), matching what each peer derives when it applies the state with our new key. A peer
     * that fails keeps its old preshared key and is reported; the rotation itself stands (the key is already in use).
     */
    private void refreshPresharedKeys() {
        if (secret.isEmpty() || programmed.peers().isEmpty()) return;
        PeerPlan next = programmed.withPresharedKeys(secret, key.publicKey());
        Map<String, DesiredPeer> done = new java.util.LinkedHashMap<>(programmed.peers());
        try {
            for (DesiredPeer peer : next.peers().values()) {
                uapi(peer.upsert());
                done.put(peer.node(), peer);
            }
        } catch (RuntimeException e) {
            LOG.error("wireguard: node {} rotated its key but could not update every preshared key: {}", settings.node(), e.getMessage());
        } finally {
            programmed = new PeerPlan(done, programmed.strict(), programmed.guardedCidrs(), programmed.localCidrs());
        }
    }

    @Override
    public synchronized WireguardKey publicKey() {
        return key.publicKey();
    }

    @Override
    public String interfaceName() {
        return settings.iface();
    }

    @Override
    public DeviceState device() {
        return device.uapi().get();
    }

    /** Packets strict mode dropped since its table was last rebuilt. */
    long strictDrops() {
        return firewall.droppedPackets();
    }

    @Override
    public synchronized MeshState state() {
        return state;
    }

    @Override
    public Flows flows() {
        return flows;
    }

    @Override
    public Set<Capability> capabilities() {
        return WireguardProvider.CAPABILITIES;
    }

    /** Stops wireguard-go (its interface and routes go with it) and removes the strict-mode table. */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (watcher != null) watcher.interrupt();
        poller.stop();
        try {
            device.close();
        } finally {
            if (programmed.strict()) firewall.remove();
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("wireguard dataplane for node " + settings.node() + " is closed");
    }
}
