package io.nodemesh.envoy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import io.nodemesh.envoy.internal.EnvoyValidator;
import io.nodemesh.envoy.internal.MeshResources;
import io.nodemesh.envoy.internal.MeshTranslator;
import io.nodemesh.envoy.internal.NodeSnapshots;
import io.nodemesh.envoy.internal.ProtoSchemaCheck;
import io.nodemesh.envoy.internal.SharedChecks;
import io.nodemesh.envoy.internal.XdsServer;
import io.nodemesh.envoy.internal.ca.SpiffeCa;
import io.nodemesh.envoy.internal.ca.WorkloadCertificates;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-node Envoy backend: every apply becomes one consistent, versioned xDS snapshot per node, served over ADS
 * (state-of-the-world and delta) to the node's Envoy and to proxyless gRPC clients and servers.
 * <p>
 * A client that NACKs is reported ({@link #nacks()}, {@link #onNack}) and its node is rolled back to the configuration
 * it last accepted; the next apply is offered as usual. Closing stops the xDS server: Envoy keeps its last configuration.
 */
public final class EnvoyDataplane implements MeshDataplane {
    private static final Logger LOG = LoggerFactory.getLogger(EnvoyDataplane.class);
    public static final Set<Capability> CAPABILITIES = Set.copyOf(EnumSet.of(Capability.L7_ROUTING, Capability.L7_POLICY, Capability.MTLS, Capability.FLOWS));

    private final EnvoyOptions options;
    private final String onlyNode;
    private final MeshTranslator translator;
    private final NodeSnapshots snapshots = new NodeSnapshots();
    private final Clock clock;
    /** The CA of the current trust domain; replaced (with its certificates) when the state's trust domain changes. */
    private WorkloadCertificates certificates;
    private SpiffeCa ca;
    private final XdsServer server;
    private final FlowHub flows = new FlowHub();
    /** The node Envoy's gRPC access logs, served on the xDS port, published on {@link #flows}. */
    private final io.nodemesh.envoy.internal.AccessLogReceiver accessLogs;
    private final List<Nack> nacks = new CopyOnWriteArrayList<>();
    private final List<Consumer<Nack>> nackListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService rotation;
    private MeshState state = MeshState.EMPTY;
    /** Name and schema checks of the shared resources, incremental from the last apply that passed. */
    private final SharedChecks sharedChecks = new SharedChecks();
    private long generation;
    /** Option {@code envoy.credentialsDir}: where workload credentials are kept as files for gRPC's file_watcher; or null. */
    private final io.nodemesh.envoy.internal.ca.WorkloadCredentialFiles credentialFiles;

    public EnvoyDataplane(DataplaneOptions options) {
        this(options, Clock.systemUTC());
    }

    /** With a clock of the caller's, so certificate rotation can be tested without waiting. */
    public EnvoyDataplane(DataplaneOptions options, Clock clock) {
        this.options = EnvoyOptions.from(options);
        this.onlyNode = options.node();
        this.translator = new MeshTranslator(this.options.outboundPort(), new io.nodemesh.envoy.internal.AccessLogTranslator(this.options.accessLog()));
        this.clock = clock;
        this.credentialFiles = options.find(EnvoyOptions.CREDENTIALS_DIR)
                .map(io.nodemesh.envoy.internal.ca.WorkloadCredentialFiles::new).orElse(null);
        trustDomain(MeshState.EMPTY.encryption().trustDomain());
        this.accessLogs = new io.nodemesh.envoy.internal.AccessLogReceiver(flows, options.node(), clock);
        try {
            this.server = new XdsServer(this.options.xdsHost(), this.options.xdsPort(), snapshots, this::nacked, clock, java.util.List.of(accessLogs));
        } catch (IOException e) {
            accessLogs.close();
            throw new UncheckedIOException("cannot listen for xDS on " + this.options.xdsHost() + ":" + this.options.xdsPort(), e);
        }
        this.rotation = Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("envoy-cert-rotation").unstarted(r));
        long every = Math.max(1, this.options.certLifetime().toSeconds() / 8);
        rotation.scheduleAtFixedRate(this::rotateIfDue, every, every, TimeUnit.SECONDS);
    }

    @Override
    public String name() {
        return "envoy";
    }

    /** The port the ADS server listens on, for bootstraps. */
    public int xdsPort() {
        return server.port();
    }

    public EnvoyOptions options() {
        return options;
    }

    /** Counters of the node Envoy's access-log streams (the source of {@link #flows()}). */
    public AccessLogStats accessLogStats() {
        return accessLogs.stats();
    }

    /** Every NACK since open, oldest first. */
    public List<Nack> nacks() {
        return List.copyOf(nacks);
    }

    /** Calls {@code listener} for every NACK from now on (on an xDS server thread; do not block). */
    public void onNack(Consumer<Nack> listener) {
        nackListeners.add(listener);
    }

    /** The version of each resource type served to {@code node} now, by type URL. */
    public Map<String, String> servedVersions(String node) {
        Optional<Snapshot> s = snapshots.current(node);
        Map<String, String> out = new LinkedHashMap<>();
        s.ifPresent(snap -> io.envoyproxy.controlplane.cache.Resources.V3.TYPE_URLS.forEach(t -> out.put(t, snap.version(t))));
        return out;
    }

    /** The PEM of the mesh CA's root certificate (the trust bundle). */
    public String trustBundlePem() {
        return ca.root().certificatePem();
    }

    /**
     * Writes the current certificate of {@code spiffeId}, its key and the trust bundle as {@code cert.pem},
     * {@code key.pem} (0600) and {@code ca.pem} into {@code dir} (switched at once; see {@link Bootstraps#grpcJson(String,
     * String, String, int, java.nio.file.Path, Duration)} for the bootstrap that reads them). A one-off: to have them
     * follow rotations, set option {@code envoy.credentialsDir} instead.
     */
    public synchronized void writeWorkloadCredentials(String spiffeId, java.nio.file.Path dir) {
        io.nodemesh.envoy.internal.ca.WorkloadCredentialFiles.writeTo(dir, certificates.current(spiffeId), ca.root().certificatePem());
    }

    /**
     * In mTLS mode with {@code envoy.credentialsDir} set: the credentials of every workload on the served node(s), under
     * {@link Bootstraps#workloadCredentialsDir}, rewritten when a certificate was re-issued (apply or rotation).
     */
    private void writeCredentialFiles(MeshState s) {
        if (credentialFiles == null) return;
        java.util.Set<String> keep = new java.util.HashSet<>();
        try {
            if (s.encryption().mode() == io.nodemesh.api.state.EncryptionSpec.Mode.MTLS) {
                for (Workload w : s.workloads()) {
                    if (!onlyNode.isEmpty() && !onlyNode.equals(w.node())) continue;
                    if (keep.add(w.identity())) credentialFiles.write(certificates.current(w.identity()), ca.root().certificatePem());
                }
            }
            credentialFiles.retain(keep);
        } catch (RuntimeException e) {
            // The configuration is valid and served; the files are retried on the next apply or rotation check.
            LOG.warn("writing workload credentials under {} failed", credentialFiles.root(), e);
        }
    }

    /** Runs the certificate-rotation check now (it also runs on a timer); true if it re-issued and re-published. */
    public synchronized boolean rotateIfDue() {
        try {
            if (state.encryption().mode() != io.nodemesh.api.state.EncryptionSpec.Mode.MTLS || !certificates.rotationDue()) return false;
            publish(state, generation + 1);
            generation++;
            LOG.info("rotated workload certificates (generation {})", generation);
            return true;
        } catch (RuntimeException e) {
            LOG.warn("certificate rotation failed; the current certificates keep serving", e);
            return false;
        }
    }

    @Override
    public synchronized ApplyResult apply(MeshState newState) {
        List<Violation> violations = new ArrayList<>(newState.validate(state));
        if (violations.isEmpty()) violations.addAll(EnvoyValidator.validate(newState));
        if (!violations.isEmpty()) throw new InvalidStateException(violations);
        List<ApplyResult.Change> changes = StateDiff.between(state, newState);
        if (changes.isEmpty()) return new ApplyResult(generation, List.of());
        publish(newState, generation + 1);
        generation++;
        state = newState;
        accessLogs.applied(newState);
        return new ApplyResult(generation, changes);
    }

    /** The CA outlives many workload certificates; one per trust domain and dataplane. */
    private void trustDomain(String trustDomain) {
        if (ca != null && ca.trustDomain().equals(trustDomain)) return;
        ca = new SpiffeCa(trustDomain, Duration.ofDays(365), clock);
        certificates = new WorkloadCertificates(ca, options.certLifetime(), clock);
    }

    /** Translates and checks everything first; serves only when every node's snapshot is good. */
    private void publish(MeshState newState, long gen) {
        Map<String, MeshResources> perNode = new LinkedHashMap<>();
        SpiffeCa previousCa = ca;
        WorkloadCertificates previousCerts = certificates;
        try {
            trustDomain(newState.encryption().trustDomain());
            MeshResources shared = translator.shared(newState);
            io.nodemesh.api.state.MeshIndex index = newState.index();
            certificates.retain(MeshTranslator.identitiesInUse(newState));
            List<String> nodes = newState.nodes().stream().map(Node::name)
                    .filter(n -> onlyNode.isEmpty() || onlyNode.equals(n)).toList();
            perNode.putAll(translator.forNodes(index, nodes, shared, certificates));
            // Check the shared part once, walking only what changed since the last apply (SharedChecks), and per node
            // only what that node adds (its server listeners and secrets).
            List<Violation> problems = new ArrayList<>(sharedChecks.check(shared, options.schemaCheck()));
            java.util.Set<String> sharedNames = null; // built only if some node has listeners of its own
            java.util.Set<com.google.protobuf.Message> good = java.util.concurrent.ConcurrentHashMap.newKeySet();
            for (MeshResources r : perNode.values()) {
                if (!problems.isEmpty()) break;
                if (r.listeners().size() == shared.listeners().size() && r.secrets().isEmpty()) continue; // nothing of its own
                MeshResources own = new MeshResources(List.of(), List.of(),
                        r.listeners().subList(shared.listeners().size(), r.listeners().size()), List.of(), r.secrets());
                problems.addAll(EnvoyValidator.uniqueNames(own));
                // A node's own listener must not take the name of a shared one either.
                if (sharedNames == null && !own.listeners().isEmpty()) sharedNames = sharedListenerNames(shared);
                for (var l : own.listeners()) {
                    if (sharedNames.contains(l.getName())) {
                        problems.add(new Violation("listeners[" + l.getName() + "]", "duplicate listeners name once translated to Envoy"));
                    }
                }
                if (options.schemaCheck()) problems.addAll(ProtoSchemaCheck.check(own, good));
            }
            if (!problems.isEmpty()) throw new InvalidStateException(problems);
            sharedChecks.passed(shared);
        } catch (InvalidStateException e) {
            ca = previousCa;
            certificates = previousCerts;
            throw e;
        } catch (RuntimeException e) {
            ca = previousCa;
            certificates = previousCerts;
            throw new ApplyException("translating the mesh state to Envoy resources failed; the previous snapshots keep serving: " + e, e);
        }
        writeCredentialFiles(newState); // before serving: a gRPC server given a TLS listener finds its files there
        NodeSnapshots.Batch batch = new NodeSnapshots.Batch();
        Map<String, Snapshot> prepared = new LinkedHashMap<>();
        perNode.forEach((node, r) -> prepared.put(node, snapshots.prepare(node, r, gen, batch)));
        snapshots.pack(batch);
        prepared.forEach((node, snap) -> snapshots.serve(node, snap, batch, perNode.get(node)));
        for (String gone : snapshots.nodes()) {
            if (!perNode.containsKey(gone)) snapshots.remove(gone);
        }
    }

    private static java.util.Set<String> sharedListenerNames(MeshResources shared) {
        return shared.listeners().stream().map(io.envoyproxy.envoy.config.listener.v3.Listener::getName).collect(Collectors.toSet());
    }

    private void nacked(Nack nack) {
        nacks.add(nack);
        for (Consumer<Nack> l : nackListeners) {
            try {
                l.accept(nack);
            } catch (RuntimeException e) {
                LOG.warn("NACK listener failed", e);
            }
        }
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
        return CAPABILITIES;
    }

    @Override
    public void close() {
        rotation.shutdownNow();
        server.close();
        accessLogs.close();
    }
}
