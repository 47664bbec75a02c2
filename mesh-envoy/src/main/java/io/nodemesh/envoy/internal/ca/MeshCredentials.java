package io.nodemesh.envoy.internal.ca;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Workload;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mesh CA's lifecycle in one place: one CA per trust domain (it outlives many workload certificates), replaced with
 * its certificates only when an apply with a new trust domain commits, and the workload credential files kept for
 * gRPC's file_watcher ({@code envoy.credentialsDir}).
 */
public final class MeshCredentials {
    private static final Logger LOG = LoggerFactory.getLogger(MeshCredentials.class);
    private static final Duration CA_LIFETIME = Duration.ofDays(365);

    /** A CA and the workload certificates it issues. */
    public record Issuer(SpiffeCa ca, WorkloadCertificates certificates) {}

    private final Duration certLifetime;
    private final Clock clock;
    private final WorkloadCredentialFiles files;
    private final String onlyNode;
    private final java.util.function.Supplier<MeshRoot> roots;
    private MeshRoot root;
    private Issuer current;

    /**
     * @param files    where to keep workload credentials as files, or null for nowhere
     * @param onlyNode the node whose workloads get files, or empty for every node
     * @param roots    reads the mesh root (from {@code envoy.caDir}), or null for an in-memory root per trust domain
     * @throws CaFileException when {@code roots} cannot read the root
     */
    public MeshCredentials(
            String trustDomain,
            Duration certLifetime,
            Clock clock,
            WorkloadCredentialFiles files,
            String onlyNode,
            java.util.function.Supplier<MeshRoot> roots) {
        this.certLifetime = certLifetime;
        this.clock = clock;
        this.files = files;
        this.onlyNode = onlyNode;
        this.roots = roots;
        this.root = roots == null ? null : roots.get();
        this.current = issue(trustDomain);
    }

    /**
     * Reads the root files again; when they changed, switches to an issuer under the root now there, with no
     * certificates yet, so a rotated root signs every certificate from the next translation on. False when the root did
     * not change or lives in memory.
     *
     * @throws CaFileException when the files are not a valid root; the current root keeps serving
     */
    public synchronized boolean reloadRoot() {
        if (roots == null) return false;
        MeshRoot next = roots.get();
        if (next.trusted().equals(root.trusted())) return false;
        root = next;
        current = issue(current.ca().trustDomain());
        LOG.info(
                "mesh root now {} ({} more trusted)",
                next.signing().certificate().getSubjectX500Principal().getName(),
                next.alsoTrusted().size());
        return true;
    }

    /** The issuer in use. */
    public synchronized Issuer current() {
        return current;
    }

    /** The issuer for {@code trustDomain}: the one in use, or a new one not used until {@link #use}. */
    public synchronized Issuer forTrustDomain(String trustDomain) {
        return current.ca().trustDomain().equals(trustDomain) ? current : issue(trustDomain);
    }

    /** Switches to {@code issuer} once the configuration it signed is served. */
    public synchronized void use(Issuer issuer) {
        current = Objects.requireNonNull(issuer);
    }

    public synchronized boolean rotationDue() {
        return current.certificates().rotationDue();
    }

    public synchronized String trustBundlePem() {
        return current.ca().trustBundlePem();
    }

    /**
     * A certificate for {@code spiffeId} outside the workload set (the xDS server's, a node's xDS client's), valid
     * {@code lifetime} at most, under the current root and trust domain.
     */
    public synchronized IssuedCertificate issueOther(String spiffeId, Duration lifetime) {
        return current.ca().issue(spiffeId, lifetime);
    }

    public synchronized String trustDomain() {
        return current.ca().trustDomain();
    }

    public synchronized java.util.List<java.security.cert.X509Certificate> trustedRoots() {
        return current.ca().trusted();
    }

    /** Writes the current credentials of {@code spiffeId} into {@code dir}, once. */
    public synchronized void writeTo(String spiffeId, Path dir) {
        WorkloadCredentialFiles.writeTo(dir, current.certificates().current(spiffeId), trustBundlePem());
    }

    /**
     * In mTLS mode with a credentials directory: the credentials of every workload on the served node(s), rewritten
     * when a certificate was re-issued; those of workloads gone are removed. A failure is logged and retried next time:
     * the configuration is valid and served.
     */
    public synchronized void writeFiles(MeshState state, Issuer issuer) {
        if (files == null) return;
        Set<String> keep = new HashSet<>();
        try {
            if (state.encryption().mode() == EncryptionSpec.Mode.MTLS) {
                String bundle = issuer.ca().trustBundlePem();
                for (Workload w : state.workloads()) {
                    if (!onlyNode.isEmpty() && !onlyNode.equals(w.node())) continue;
                    if (keep.add(w.identity()))
                        files.write(issuer.certificates().current(w.identity()), bundle);
                }
            }
            files.retain(keep);
        } catch (RuntimeException e) {
            LOG.warn("writing workload credentials under {} failed", files.root(), e);
        }
    }

    private Issuer issue(String trustDomain) {
        SpiffeCa ca =
                root == null ? new SpiffeCa(trustDomain, CA_LIFETIME, clock) : new SpiffeCa(trustDomain, root, clock);
        return new Issuer(ca, new WorkloadCertificates(ca, certLifetime, clock));
    }
}
