package io.nodemesh.api.state;

/**
 * How traffic between nodes is encrypted, e.g. {@code EncryptionSpec.wireguard(Enforcement.STRICT)}.
 *
 * @param mode        none, WireGuard between nodes, or mTLS in the node proxies
 * @param enforcement {@link Enforcement#STRICT} drops pod traffic that would leave a node unencrypted, so a missing
 *                    peer fails closed
 * @param trustDomain SPIFFE trust domain for mTLS certificates
 */
public record EncryptionSpec(Mode mode, Enforcement enforcement, String trustDomain) {
    public enum Mode {
        NONE,
        WIREGUARD,
        MTLS
    }

    /** What happens to pod traffic between nodes that cannot be encrypted (no peer yet, no certificate). */
    public enum Enforcement {
        /** It is sent in clear: nothing breaks while the mesh converges. */
        PERMISSIVE,
        /** It is dropped: nothing leaves a node in clear. */
        STRICT
    }

    public static final String DEFAULT_TRUST_DOMAIN = "cluster.local";
    public static final EncryptionSpec NONE =
            new EncryptionSpec(Mode.NONE, Enforcement.PERMISSIVE, DEFAULT_TRUST_DOMAIN);

    public EncryptionSpec {
        mode = mode == null ? Mode.NONE : mode;
        enforcement = enforcement == null ? Enforcement.PERMISSIVE : enforcement;
        trustDomain = trustDomain == null || trustDomain.isEmpty() ? DEFAULT_TRUST_DOMAIN : trustDomain;
    }

    /** WireGuard between nodes, in the default trust domain. */
    public static EncryptionSpec wireguard(Enforcement enforcement) {
        return new EncryptionSpec(Mode.WIREGUARD, enforcement, DEFAULT_TRUST_DOMAIN);
    }

    /** mTLS between node proxies, in the default trust domain. */
    public static EncryptionSpec mtls(Enforcement enforcement) {
        return new EncryptionSpec(Mode.MTLS, enforcement, DEFAULT_TRUST_DOMAIN);
    }

    public EncryptionSpec withEnforcement(Enforcement newEnforcement) {
        return new EncryptionSpec(mode, newEnforcement, trustDomain);
    }

    public EncryptionSpec withTrustDomain(String domain) {
        return new EncryptionSpec(mode, enforcement, domain);
    }

    /** Whether unencryptable traffic is dropped. */
    public boolean strict() {
        return enforcement == Enforcement.STRICT;
    }
}
