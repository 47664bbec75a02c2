package io.nodemesh.wireguard;

import java.io.ByteArrayOutputStream;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * HKDF with HMAC-SHA256 (RFC 5869), on the JDK's {@code HmacSHA256}: the JDK has no public HKDF API before its KDF
 * preview, and the construction is two short loops. Checked against RFC 5869's SHA-256 test vectors.
 */
final class Hkdf {
    static final int HASH_LENGTH = 32;

    private Hkdf() {}

    /** Extract-then-expand: {@code length} bytes of output keying material. An empty salt means HashLen zero bytes. */
    static byte[] deriveSha256(byte[] salt, byte[] ikm, byte[] info, int length) {
        return expand(extract(salt, ikm), info, length);
    }

    static byte[] extract(byte[] salt, byte[] ikm) {
        byte[] s = salt == null || salt.length == 0 ? new byte[HASH_LENGTH] : salt;
        return hmac(s).doFinal(ikm);
    }

    static byte[] expand(byte[] prk, byte[] info, int length) {
        if (length < 0 || length > 255 * HASH_LENGTH)
            throw new IllegalArgumentException("HKDF output length " + length + " is outside 0..8160");
        Mac mac = hmac(prk);
        ByteArrayOutputStream okm = new ByteArrayOutputStream(length + HASH_LENGTH);
        byte[] t = new byte[0];
        for (int i = 1; okm.size() < length; i++) {
            mac.update(t);
            mac.update(info);
            mac.update((byte) i);
            t = mac.doFinal();
            okm.writeBytes(t);
        }
        return Arrays.copyOf(okm.toByteArray(), length);
    }

    private static Mac hmac(byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }
}
