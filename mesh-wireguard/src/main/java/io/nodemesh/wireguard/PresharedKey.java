package io.nodemesh.wireguard;

import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * A WireGuard preshared key for one peer pair (32 bytes). Like a private key it never prints: {@link #toString()} is
 * redacted and the raw form is only reachable through {@link #revealHex()}, which the UAPI client calls.
 */
public final class PresharedKey {
    private final byte[] bytes;

    private PresharedKey(byte[] bytes) {
        this.bytes = bytes;
    }

    static PresharedKey ofBytes(byte[] raw) {
        if (raw.length != WireguardKey.LENGTH)
            throw new IllegalArgumentException("a preshared key has 32 bytes, not " + raw.length);
        return new PresharedKey(raw.clone());
    }

    /** The lower-case hex form of the UAPI's {@code preshared_key=} line. */
    public String revealHex() {
        return HexFormat.of().formatHex(bytes);
    }

    /** Constant time, like every comparison of secret bytes should be. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PresharedKey k && MessageDigest.isEqual(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "PresharedKey[redacted]";
    }
}
