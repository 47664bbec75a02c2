package io.nodemesh.api.state;

/**
 * How traffic between nodes is encrypted.
 *
 * @param mode        none, WireGuard between nodes, or mTLS in the node proxies
 * @param strict      drop pod traffic that would leave a node unencrypted, so a missing peer fails closed
 * @param trustDomain SPIFFE trust domain for mTLS certificates
 */
public record EncryptionSpec(Mode mode, boolean strict, String trustDomain) {
    public enum Mode { NONE, WIREGUARD, MTLS }

    public static final EncryptionSpec NONE = new EncryptionSpec(Mode.NONE, false, "cluster.local");

    public EncryptionSpec {
        mode = mode == null ? Mode.NONE : mode;
        trustDomain = trustDomain == null || trustDomain.isEmpty() ? "cluster.local" : trustDomain;
    }
}
