package io.nodemesh.envoy;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidOptionsException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.ApplyPipeline;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.internal.SnapshotPublisher;
import io.nodemesh.envoy.internal.accesslog.AccessLogReceiver;
import io.nodemesh.envoy.internal.ca.CaFileException;
import io.nodemesh.envoy.internal.ca.IssuedCertificate;
import io.nodemesh.envoy.internal.ca.MeshCredentials;
import io.nodemesh.envoy.internal.ca.MeshRoot;
import io.nodemesh.envoy.internal.ca.MeshRootFiles;
import io.nodemesh.envoy.internal.ca.WorkloadCredentialFiles;
import io.nodemesh.envoy.internal.translate.AccessLogTranslator;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import io.nodemesh.envoy.internal.xds.NodeIdentity;
import io.nodemesh.envoy.internal.xds.NodeSnapshots;
import io.nodemesh.envoy.internal.xds.ProxyHealth;
import io.nodemesh.envoy.internal.xds.XdsServer;
import io.nodemesh.envoy.internal.xds.XdsTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
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
    public static final Set<Capability> CAPABILITIES =
            Set.copyOf(EnumSet.of(Capability.L7_ROUTING, Capability.L7_POLICY, Capability.MTLS, Capability.FLOWS));

    private final EnvoyOptions options;
    private final NodeSnapshots snapshots = new NodeSnapshots();
    private final MeshCredentials credentials;
    private final SnapshotPublisher publisher;
    private final ApplyPipeline pipeline;
    private final XdsServer server;
    private final FlowHub flows = new FlowHub();
    /** The node Envoy's gRPC access logs, served on the xDS port, published on {@link #flows}. */
    private final AccessLogReceiver accessLogs;

    private final List<Nack> nacks = new CopyOnWriteArrayList<>();
    private final List<Consumer<Nack>> nackListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService rotation;
    private final String node;
    /** Where this node's own xDS client credentials are kept ({@link EnvoyOptions#xdsClientCredentialsDir}), or null. */
    private final java.nio.file.Path ownXdsCredentials;
    /** The xDS server's TLS, or null in plain text. */
    private final XdsTls xdsTls;
    /** Lifetime of the xDS server's and node clients' certificates (Envoy reads its bootstrap certificate from files). */
    private static final Duration XDS_CERT_LIFETIME = Duration.ofDays(30);

    public EnvoyDataplane(DataplaneOptions options) {
        this(options, Clock.systemUTC());
    }

    /** With a clock of the caller's, so certificate rotation can be tested without waiting. */
    public EnvoyDataplane(DataplaneOptions options, Clock clock) {
        this.options = EnvoyOptions.from(options);
        java.util.function.Supplier<MeshRoot> roots = options.find(EnvoyOptions.CA_DIR)
                .<java.util.function.Supplier<MeshRoot>>map(dir -> () -> caFiles(dir, clock))
                .orElse(null);
        this.credentials = new MeshCredentials(
                MeshState.EMPTY.encryption().trustDomain(),
                this.options.certLifetime(),
                clock,
                options.find(EnvoyOptions.CREDENTIALS_DIR)
                        .map(WorkloadCredentialFiles::new)
                        .orElse(null),
                options.node(),
                roots);
        this.accessLogs = new AccessLogReceiver(flows, options.node(), clock);
        MeshTranslator translator =
                new MeshTranslator(this.options.outboundPort(), new AccessLogTranslator(this.options.accessLog()));
        this.publisher = new SnapshotPublisher(
                options.node(), this.options.schemaCheck(), translator, snapshots, credentials, accessLogs::applied);
        this.pipeline = new ApplyPipeline("envoy", publisher);
        this.node = options.node();
        this.ownXdsCredentials = EnvoyOptions.xdsClientCredentialsDir(options).orElse(null);
        if (this.options.xdsSecurity() == XdsSecurity.MTLS) {
            this.xdsTls = new XdsTls(xdsServerCertificate(), credentials.trustedRoots());
        } else {
            this.xdsTls = null;
            LOG.warn(
                    "xDS is served in plain text without client authentication ({}=plaintext): every node's"
                            + " resources, workload keys included, to anyone who connects; for local development only",
                    EnvoyOptions.XDS_SECURITY.key());
        }
        try {
            writeOwnXdsClientCredentials();
        } catch (RuntimeException e) {
            accessLogs.close();
            throw e;
        }
        try {
            this.server = new XdsServer(
                    this.options.xdsHost(),
                    this.options.xdsPort(),
                    xdsTls,
                    snapshots,
                    this::nacked,
                    clock,
                    List.of(accessLogs));
        } catch (IOException e) {
            accessLogs.close();
            throw new UncheckedIOException(
                    "cannot listen for xDS on " + this.options.xdsHost() + ":" + this.options.xdsPort(), e);
        }
        this.rotation = Executors.newSingleThreadScheduledExecutor(
                r -> Thread.ofPlatform().daemon().name("envoy-cert-rotation").unstarted(r));
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

    /**
     * xDS calls ended with PERMISSION_DENIED because the client's node certificate did not match what it asked for
     * ({@code envoy.xdsSecurity=mtls}); each is also logged.
     */
    public long xdsDenials() {
        return server.deniedCalls();
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
        s.ifPresent(snap ->
                io.envoyproxy.controlplane.cache.Resources.V3.TYPE_URLS.forEach(t -> out.put(t, snap.version(t))));
        return out;
    }

    /** The PEM of the mesh CA's root certificate (the trust bundle). */
    public String trustBundlePem() {
        return credentials.trustBundlePem();
    }

    /**
     * Writes the current certificate of {@code spiffeId}, its key and the trust bundle as {@code cert.pem},
     * {@code key.pem} (0600) and {@code ca.pem} into {@code dir} (switched at once; see {@link Bootstraps#grpcJson(String,
     * String, String, int, java.nio.file.Path, Duration)} for the bootstrap that reads them). A one-off: to have them
     * follow rotations, set option {@code envoy.credentialsDir} instead.
     */
    public void writeWorkloadCredentials(String spiffeId, java.nio.file.Path dir) {
        credentials.writeTo(spiffeId, dir);
    }

    /**
     * Reads the mesh CA files ({@code envoy.caDir}) again; when the root changed (rotated), re-issues every workload
     * certificate under the new signing root and serves them with the new trust bundle. False when nothing changed.
     *
     * @throws InvalidOptionsException naming the bad file; the current root keeps serving
     */
    public synchronized boolean reloadCa() {
        if (!credentials.reloadRoot()) return false;
        publisher.republish(pipeline.state(), pipeline.index());
        if (xdsTls != null) xdsTls.update(xdsServerCertificate(), credentials.trustedRoots());
        writeOwnXdsClientCredentials();
        LOG.info("re-issued workload certificates under the new mesh root (generation {})", pipeline.generation());
        return true;
    }

    /**
     * Writes the xDS client credentials of {@code node} — a certificate naming {@code
     * spiffe://<trust domain>/nodemesh/node/<node>}, its key (0600) and the trust bundle, as {@code cert.pem},
     * {@code key.pem}, {@code ca.pem} — into {@code dir}, for the node's Envoy bootstrap ({@link Bootstraps.EnvoySpec})
     * or a proxyless client. With {@code envoy.credentialsDir} or {@code envoy.caDir} set, a dataplane serving one
     * node writes its own at open and on {@link #reloadCa()} ({@link EnvoyOptions#xdsClientCredentialsDir}).
     */
    public void writeXdsClientCredentials(String node, java.nio.file.Path dir) {
        IssuedCertificate cert =
                credentials.issueOther(NodeIdentity.of(credentials.trustDomain(), node), XDS_CERT_LIFETIME);
        WorkloadCredentialFiles.writeTo(dir, cert, credentials.trustBundlePem());
    }

    private void writeOwnXdsClientCredentials() {
        if (ownXdsCredentials == null) return;
        try {
            writeXdsClientCredentials(node, ownXdsCredentials);
        } catch (UncheckedIOException e) {
            // A CA directory mounted read-only (a Kubernetes Secret) cannot hold them: say which option to set.
            throw new InvalidOptionsException(List.of("cannot write node " + node + "'s xDS client credentials to "
                    + ownXdsCredentials + " (" + e.getCause().getMessage() + "); set "
                    + EnvoyOptions.CREDENTIALS_DIR.key() + " to a writable directory"));
        }
    }

    /** The xDS server's certificate: {@code spiffe://<td>/nodemesh/xds/<node>} ({@code control-plane} when serving all). */
    private IssuedCertificate xdsServerCertificate() {
        return credentials.issueOther(
                "spiffe://" + credentials.trustDomain() + "/nodemesh/xds/" + (node.isEmpty() ? "control-plane" : node),
                XDS_CERT_LIFETIME);
    }

    private static MeshRoot caFiles(java.nio.file.Path dir, Clock clock) {
        try {
            return MeshRootFiles.loadOrCreate(dir, MeshState.EMPTY.encryption().trustDomain(), clock);
        } catch (CaFileException e) {
            throw new InvalidOptionsException(List.of(EnvoyOptions.CA_DIR.key() + ": " + e.getMessage()));
        }
    }

    /** Runs the certificate-rotation check now (it also runs on a timer); true if it re-issued and re-published. */
    public synchronized boolean rotateIfDue() {
        try {
            MeshState state = pipeline.state();
            if (state.encryption().mode() != EncryptionSpec.Mode.MTLS || !credentials.rotationDue()) return false;
            publisher.republish(state, pipeline.index());
            LOG.info("rotated workload certificates (generation {})", pipeline.generation());
            return true;
        } catch (RuntimeException e) {
            LOG.warn("certificate rotation failed; the current certificates keep serving", e);
            return false;
        }
    }

    /**
     * Translates and checks the whole state, then serves every node's snapshot at once; an invalid state or a failed
     * translation serves nothing new.
     */
    @Override
    public synchronized ApplyResult apply(MeshState newState) {
        return pipeline.apply(newState);
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
    public MeshState state() {
        return pipeline.state();
    }

    @Override
    public Flows flows() {
        return flows;
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** The proxies connected to the xDS server, per resource type: what each was sent, accepted and rejected. */
    @Override
    public List<BackendHealth> health() {
        return List.of(ProxyHealth.of(name(), server.ledger()));
    }

    @Override
    public void close() {
        rotation.shutdownNow();
        server.close();
        accessLogs.close();
    }
}
