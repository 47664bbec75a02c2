package io.nodemesh.wireguard.internal;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneException;
import io.nodemesh.api.Flows;
import io.nodemesh.api.spi.ApplyPipeline;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.PresharedSecret;
import io.nodemesh.wireguard.PrivateKeyFile;
import io.nodemesh.wireguard.WireguardDataplane;
import io.nodemesh.wireguard.WireguardKey;
import io.nodemesh.wireguard.WireguardPrivateKey;
import io.nodemesh.wireguard.WireguardSettings;
import io.nodemesh.wireguard.uapi.DeviceState;
import io.nodemesh.wireguard.uapi.DeviceUpdate;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps one node's wireguard-go device in step with the mesh state, through the {@link ApplyPipeline}: the
 * {@link PeerProgrammer} changes only the peers whose desired form changed, and a failure undoes the steps taken so
 * far, leaving the previous state serving. Owns the device, the node's key and its rotation; after a key change (ours
 * or a peer's) the affected peers are watched until their session is back ({@link HandshakeWatch}).
 */
final class UserspaceWireguardDataplane implements WireguardDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(UserspaceWireguardDataplane.class);

    private final WireguardSettings settings;
    private final UserspaceDevice device;
    private final StrictModeFirewall firewall;
    private final FlowHub flows = new FlowHub();
    private final HandshakeWatch handshakes = new HandshakeWatch();
    private final FlowPoller poller;
    private PeerProgrammer peers; // set once in the constructor; the poller, started after, reads it
    private final ApplyPipeline pipeline;
    private Thread watcher;
    private volatile WireguardPrivateKey key;
    private volatile boolean closed;

    private UserspaceWireguardDataplane(
            WireguardSettings settings,
            Netns host,
            UserspaceDevice device,
            WireguardPrivateKey key,
            boolean nftAvailable,
            Optional<PresharedSecret> secret) {
        this.settings = settings;
        this.device = device;
        this.key = key;
        this.firewall = new StrictModeFirewall(host, settings.iface());
        this.poller = new FlowPoller(
                settings.node(),
                flows,
                device.uapi()::get,
                () -> this.peers.programmed().strict() ? firewall.drops() : List.of(),
                java.time.Clock.systemUTC());
        this.peers = new PeerProgrammer(
                settings,
                host,
                device,
                new TunnelRoutes(host, settings),
                firewall,
                poller,
                nftAvailable,
                secret,
                device.adopted().map(d -> new AdoptedDevice(d, nftAvailable ? firewall.snapshot() : Optional.empty())),
                () -> this.key.publicKey(),
                this::watchKeyChanges);
        this.pipeline = new ApplyPipeline("wireguard on node " + settings.node(), peers);
        poller.start(settings.flowInterval(), "wireguard-flows-" + settings.iface());
    }

    static UserspaceWireguardDataplane open(WireguardSettings settings, boolean nftAvailable) {
        Netns host = Netns.named(settings.netns());
        Optional<PresharedSecret> secret;
        try {
            secret = PeerProgrammer.readSecret(settings);
        } catch (IllegalArgumentException e) {
            throw new DataplaneException("wireguard on node " + settings.node() + ": " + e.getMessage(), e);
        }
        WireguardPrivateKey key = PrivateKeyFile.loadOrCreate(settings.keyFile());
        Optional<UserspaceDevice> found = UserspaceDevice.adopt(settings, host);
        UserspaceDevice device;
        if (found.isPresent()) {
            device = found.get();
            key = adoptKey(settings, device, key);
        } else {
            device = UserspaceDevice.start(settings, host, key);
        }
        LOG.info(
                "wireguard: node {} interface {} {} (wireguard-go pid {}) public key {}",
                settings.node(),
                settings.iface(),
                found.isPresent() ? "adopted" : "started",
                device.pid().isPresent() ? Long.toString(device.pid().getAsLong()) : "unknown",
                key.publicKey());
        return new UserspaceWireguardDataplane(settings, host, device, key, nftAvailable, secret);
    }

    /**
     * The running device's key is the one its peers know; if the key file says otherwise (a rotation cut short
     * between storing the file and setting the device), the device wins and the file follows, so no session breaks.
     */
    private static WireguardPrivateKey adoptKey(
            WireguardSettings settings, UserspaceDevice device, WireguardPrivateKey fromFile) {
        Optional<WireguardPrivateKey> running = device.adopted().flatMap(DeviceState::privateKey);
        if (running.isEmpty()) {
            device.uapi().set(DeviceUpdate.privateKey(fromFile));
            return fromFile;
        }
        if (!running.get().publicKey().equals(fromFile.publicKey())) {
            LOG.warn(
                    "wireguard: node {} device {} runs key {} but {} holds {}; keeping the running key",
                    settings.node(),
                    settings.iface(),
                    running.get().publicKey(),
                    settings.keyFile(),
                    fromFile.publicKey());
            PrivateKeyFile.store(settings.keyFile(), running.get());
        }
        return running.get();
    }

    @Override
    public String name() {
        return WireguardProvider.NAME;
    }

    @Override
    public synchronized ApplyResult apply(MeshState next) {
        ensureOpen();
        return pipeline.apply(next);
    }

    /** A peer whose key changed (its node rotated) starts without a session: watch it until it has one. */
    private synchronized void watchKeyChanges(PeerPlan was, PeerPlan want) {
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

    /** Re-creates a still-broken peer so it initiates a handshake at once. */
    private synchronized void recreate(WireguardKey key) {
        if (!closed) peers.recreate(key);
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
            throw new ApplyException(
                    "wireguard on node " + settings.node() + ": setting the new key failed, kept the old one: "
                            + e.getMessage(),
                    e);
        }
        key = next;
        peers.refreshPresharedKeys();
        Instant now = Instant.now();
        peers.programmed().peers().values().forEach(p -> handshakes.watch(p.key(), p.node(), now));
        startWatcher();
        LOG.info("wireguard: node {} rotated its key, new public key {}", settings.node(), next.publicKey());
        return next.publicKey();
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
    public MeshState state() {
        return pipeline.state();
    }

    @Override
    public Flows flows() {
        return flows;
    }

    @Override
    public Set<Capability> capabilities() {
        return WireguardProvider.CAPABILITIES;
    }

    @Override
    public List<BackendHealth> health() {
        ensureOpen();
        return List.of(TunnelHealth.of(name(), device(), state(), settings.keepalive(), Instant.now()));
    }

    @Override
    public boolean adopted() {
        return device.adopted().isPresent();
    }

    /**
     * Detaches: stops polling and watching, and leaves wireguard-go, its interface, routes and the strict-mode table
     * running as last applied, so traffic stays encrypted until the next dataplane adopts them.
     * {@link WireguardDataplane#uninstall} removes them.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        if (watcher != null) watcher.interrupt();
        poller.stop();
        LOG.info(
                "wireguard: node {} detached from {}; it keeps running (uninstall removes it)",
                settings.node(),
                settings.iface());
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("wireguard dataplane for node " + settings.node() + " is closed");
    }
}
