package io.nodemesh.wireguard;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.XECPrivateKey;
import java.security.spec.NamedParameterSpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.KeyAgreement;

/**
 * A WireGuard private key (X25519 scalar, 32 bytes, clamped as {@code wg genkey} does). It never prints itself:
 * {@link #toString()} is redacted, and the raw forms are only reachable through methods whose names say so.
 */
public final class WireguardPrivateKey {
    private static final NamedParameterSpec X25519 = NamedParameterSpec.X25519;
    /** The X25519 base point u = 9; X25519(k, 9) is the public key. */
    private static final BigInteger BASE_POINT = BigInteger.valueOf(9);

    private final byte[] scalar;
    private final WireguardKey publicKey;

    private WireguardPrivateKey(byte[] scalar) {
        this.scalar = clamp(scalar);
        this.publicKey = derivePublic(this.scalar);
    }

    /** A fresh key from the JDK's X25519 key-pair generator. */
    public static WireguardPrivateKey generate() {
        try {
            var pair = KeyPairGenerator.getInstance("X25519").generateKeyPair();
            byte[] raw = ((XECPrivateKey) pair.getPrivate())
                    .getScalar()
                    .orElseThrow(
                            () -> new IllegalStateException("the X25519 provider does not expose the private scalar"));
            return new WireguardPrivateKey(raw);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available in this JDK", e);
        }
    }

    /** Parses the base64 form ({@code wg genkey} output); the exception message never contains the key. */
    public static WireguardPrivateKey parse(String base64) {
        return new WireguardPrivateKey(WireguardKey.decodeBase64(base64, "private key"));
    }

    /** Parses the hex form the UAPI uses. */
    public static WireguardPrivateKey fromHex(String hex) {
        return new WireguardPrivateKey(WireguardKey.decodeHex(hex, "private key"));
    }

    public WireguardKey publicKey() {
        return publicKey;
    }

    /** The base64 form, for writing to a key file. The name is the warning. */
    public String revealBase64() {
        return Base64.getEncoder().encodeToString(scalar);
    }

    /** The hex form, for the UAPI {@code private_key=} line. */
    public String revealHex() {
        return HexFormat.of().formatHex(scalar);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WireguardPrivateKey k && MessageDigest.isEqual(scalar, k.scalar);
    }

    @Override
    public int hashCode() {
        return publicKey.hashCode();
    }

    @Override
    public String toString() {
        return "WireguardPrivateKey[redacted, public=" + publicKey.base64() + "]";
    }

    /** RFC 7748 clamping, applied once so the stored bytes equal what {@code wg} and wireguard-go would use. */
    private static byte[] clamp(byte[] raw) {
        byte[] k = raw.clone();
        k[0] &= (byte) 248;
        k[31] &= 127;
        k[31] |= 64;
        return k;
    }

    /**
     * The JDK has no "public key of this private key" call for XDH; an X25519 agreement with the base point computes
     * exactly that, and the result is already the little-endian u-coordinate WireGuard uses.
     */
    private static WireguardKey derivePublic(byte[] scalar) {
        try {
            KeyFactory factory = KeyFactory.getInstance("X25519");
            PrivateKey priv = factory.generatePrivate(new XECPrivateKeySpec(X25519, scalar));
            PublicKey base = factory.generatePublic(new XECPublicKeySpec(X25519, BASE_POINT));
            KeyAgreement agreement = KeyAgreement.getInstance("X25519");
            agreement.init(priv);
            agreement.doPhase(base, true);
            return WireguardKey.ofBytes(agreement.generateSecret());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("X25519 is not available in this JDK", e);
        }
    }
}
