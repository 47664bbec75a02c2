package io.nodemesh.wireguard;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Base64;
import java.util.Set;

/**
 * The mesh-wide secret every node holds ({@link WireguardSettings#PRESHARED_SECRET_FILE}), from which each pair of
 * nodes derives the same WireGuard preshared key without exchanging anything:
 * {@code PSK = HKDF-SHA256(ikm = secret, salt = none, info = "nodemesh wg psk" || lower key || higher key)}, the two
 * public keys (32 raw bytes each) in unsigned lexicographic order so both ends compute the same bytes.
 * <p>
 * Why derive per pair rather than share one PSK: a node that learns one pair's PSK (for instance from a peer's device)
 * learns nothing about other pairs, and a key rotation changes the PSK of every pair the rotating node is in.
 * <p>
 * The file holds 32 random bytes, raw ({@code head -c 32 /dev/urandom}) or in base64 as {@code wg genpsk} prints them;
 * it must be readable by its owner only. The secret never prints.
 */
public final class PresharedSecret {
    static final byte[] INFO_LABEL = "nodemesh wg psk".getBytes(StandardCharsets.US_ASCII);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final byte[] secret;

    private PresharedSecret(byte[] secret) {
        this.secret = secret;
    }

    static PresharedSecret ofBytes(byte[] raw) {
        if (raw.length != 32)
            throw new IllegalArgumentException("the preshared secret must be 32 bytes, not " + raw.length);
        return new PresharedSecret(raw.clone());
    }

    /**
     * Reads the secret; every problem is an {@link IllegalArgumentException} whose message names the option and the
     * file (never the content).
     */
    public static PresharedSecret load(Path file) {
        String where = WireguardSettings.PRESHARED_SECRET_FILE.key() + " " + file + ": ";
        byte[] content;
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new IllegalArgumentException(where + "mode " + PosixFilePermissions.toString(perms)
                        + " lets others read the secret; chmod 600 it");
            }
            if (Files.size(file) > 1024)
                throw new IllegalArgumentException(
                        where + "expected 32 bytes (raw or base64), the file has " + Files.size(file));
            content = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new IllegalArgumentException(where + "no such file", e);
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    where + "cannot read it (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")", e);
        }
        try {
            if (content.length == 32) return new PresharedSecret(content.clone()); // content is wiped below
            String text = new String(content, StandardCharsets.US_ASCII).strip();
            if (text.length() == 44) {
                try {
                    byte[] decoded = Base64.getDecoder().decode(text);
                    if (decoded.length == 32) return new PresharedSecret(decoded);
                } catch (IllegalArgumentException notBase64) {
                    // falls through to the size message
                }
            }
            throw new IllegalArgumentException(where + "expected 32 bytes, raw or in base64 (wg genpsk), the file has "
                    + content.length + " bytes");
        } finally {
            Arrays.fill(content, (byte) 0);
        }
    }

    /** Whether {@code other} holds the same secret (compared in constant time). */
    public boolean sameAs(PresharedSecret other) {
        return other != null && java.security.MessageDigest.isEqual(secret, other.secret);
    }

    /** The preshared key of the pair {@code a}, {@code b}: the same whichever end computes it. */
    public PresharedKey pskFor(WireguardKey a, WireguardKey b) {
        byte[] x = a.bytes();
        byte[] y = b.bytes();
        if (Arrays.compareUnsigned(x, y) > 0) {
            byte[] t = x;
            x = y;
            y = t;
        }
        byte[] info = new byte[INFO_LABEL.length + 64];
        System.arraycopy(INFO_LABEL, 0, info, 0, INFO_LABEL.length);
        System.arraycopy(x, 0, info, INFO_LABEL.length, 32);
        System.arraycopy(y, 0, info, INFO_LABEL.length + 32, 32);
        return PresharedKey.ofBytes(Hkdf.deriveSha256(new byte[0], secret, info, 32));
    }

    @Override
    public String toString() {
        return "PresharedSecret[redacted]";
    }
}
