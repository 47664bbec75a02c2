package io.nodemesh.envoy.internal.ca;

import io.envoyproxy.envoy.config.core.v3.DataSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsCertificate;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import io.nodemesh.envoy.internal.translate.Names;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Workload certificates as SDS secrets: issued on first use, reused while they have more than half their life left,
 * re-issued after that — so a certificate is always replaced well before it expires, and a proxy that missed one
 * rotation still holds a valid one.
 */
public final class WorkloadCertificates implements MeshTranslator.CertificateSource {
    private final SpiffeCa ca;
    private final Duration lifetime;
    private final Clock clock;
    private final Map<String, IssuedCertificate> issued = new ConcurrentHashMap<>();

    public WorkloadCertificates(SpiffeCa ca, Duration lifetime, Clock clock) {
        this.ca = ca;
        this.lifetime = lifetime;
        this.clock = clock;
    }

    /** When a certificate issued at {@code notBefore} is due for rotation: half-way through its life. */
    Instant rotationDue(IssuedCertificate c) {
        Duration life = Duration.between(c.notBefore(), c.notAfter());
        return c.notBefore().plus(life.dividedBy(2));
    }

    /** Whether any certificate handed out is due for rotation now (the caller then re-translates). */
    public boolean rotationDue() {
        Instant now = clock.instant();
        return issued.values().stream().anyMatch(c -> !now.isBefore(rotationDue(c)));
    }

    public IssuedCertificate current(String spiffeId) {
        Instant now = clock.instant();
        return issued.compute(
                spiffeId, (id, c) -> c == null || !now.isBefore(rotationDue(c)) ? ca.issue(id, lifetime) : c);
    }

    /** Forgets certificates of identities no longer in the mesh. */
    public void retain(java.util.Set<String> identities) {
        issued.keySet().retainAll(identities);
    }

    @Override
    public Secret trustBundle() {
        return Secret.newBuilder()
                .setName(Names.TRUST_BUNDLE)
                .setValidationContext(CertificateValidationContext.newBuilder()
                        .setTrustedCa(DataSource.newBuilder().setInlineString(ca.trustBundlePem())))
                .build();
    }

    @Override
    public Secret certificate(String spiffeId) {
        IssuedCertificate c = current(spiffeId);
        return Secret.newBuilder()
                .setName(Names.workloadSecret(spiffeId))
                .setTlsCertificate(TlsCertificate.newBuilder()
                        .setCertificateChain(DataSource.newBuilder().setInlineString(c.certificatePem()))
                        .setPrivateKey(DataSource.newBuilder().setInlineString(c.keyPem())))
                .build();
    }
}
