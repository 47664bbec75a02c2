package io.nodemesh.wireguard;

import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * A WireGuard public key: the 32-byte little-endian X25519 u-coordinate, written in base64 (44 characters) as
 * {@code wg pubkey} prints it and as {@link io.nodemesh.api.state.Node#wireguardPublicKey()} carries it.
 */
public final class WireguardKey {
    static final int LENGTH = 32;

    private final byte[] bytes;

    private WireguardKey(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Parses the base64 form; the message of the exception says what is wrong with {@code base64}. */
    public static WireguardKey parse(String base64) {
        return new WireguardKey(decodeBase64(base64, "public key"));
    }

    /** Parses the lower-case hex form the UAPI uses on the wire. */
    public static WireguardKey fromHex(String hex) {
        return new WireguardKey(decodeHex(hex, "public key"));
    }

    static WireguardKey ofBytes(byte[] raw) {
        if (raw.length != LENGTH) throw new IllegalArgumentException("a WireGuard key has 32 bytes, not " + raw.length);
        return new WireguardKey(raw.clone());
    }

    public String base64() {
        return Base64.getEncoder().encodeToString(bytes);
    }

    public String hex() {
        return HexFormat.of().formatHex(bytes);
    }

    byte[] bytes() {
        return bytes.clone();
    }

    /** An all-zero key is what an unset key reads as; WireGuard never accepts it from a peer. */
    public boolean isZero() {
        for (byte b : bytes) if (b != 0) return false;
        return true;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireguardKey k && Arrays.equals(bytes, k.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return base64();
    }

    static byte[] decodeBase64(String base64, String what) {
        if (base64 == null || base64.isEmpty()) throw new IllegalArgumentException("empty WireGuard " + what);
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("WireGuard " + what + " is not base64: " + e.getMessage());
        }
        if (raw.length != LENGTH) {
            throw new IllegalArgumentException(
                    "WireGuard " + what + " has " + raw.length + " bytes, expected 32 (44 base64 characters)");
        }
        return raw;
    }

    static byte[] decodeHex(String hex, String what) {
        if (hex == null || hex.length() != 2 * LENGTH) {
            throw new IllegalArgumentException("WireGuard " + what + " in hex must have 64 characters");
        }
        try {
            return HexFormat.of().parseHex(hex);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("WireGuard " + what + " is not hex: " + e.getMessage());
        }
    }
}
