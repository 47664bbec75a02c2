package io.nodemesh.envoy.internal.ca;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The mesh root as files in one directory ({@code envoy.caDir}), so every node loads the same root and a restart does
 * not re-root: {@value #CERT} (the signing root), {@value #KEY} (its PKCS#8 key, readable by its owner only) and, during
 * a rotation's overlap, {@value #NEXT_CERT} (the staged next root) and {@value #TRUSTED} (further roots still trusted,
 * e.g. the previous one). A directory holding neither cert nor key gets a new root, written once.
 * <p>
 * A rotation across nodes that load the files at different moments takes three steps, each reloaded by every node
 * before the next: {@link #stage} (everyone trusts the next root; the current one still signs), {@link #promote} (the
 * next root signs; the previous one stays trusted, so leaves it signed keep working), and removing {@value #TRUSTED}
 * once every leaf was re-issued.
 * <p>
 * Every problem is a {@link CaFileException} with one line naming the file.
 */
public final class MeshRootFiles {
    public static final String CERT = "ca.pem", KEY = "ca-key.pem", TRUSTED = "trusted.pem";
    /** A staged next root: trusted already, signing only once {@link #promote promoted}. */
    public static final String NEXT_CERT = "next-ca.pem", NEXT_KEY = "next-ca-key.pem";
    /** Lifetime of a root nodemesh generates. Rotation replaces it long before that. */
    public static final Duration ROOT_LIFETIME = Duration.ofDays(3650);

    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]*)-----END \\1-----");
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = Set.of(
            PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE,
            PosixFilePermission.OTHERS_EXECUTE);

    private MeshRootFiles() {}

    /** The root in {@code dir}; when the directory has neither certificate nor key, a new root for {@code trustDomain}. */
    public static MeshRoot loadOrCreate(Path dir, String trustDomain, Clock clock) {
        Path cert = dir.resolve(CERT), key = dir.resolve(KEY);
        boolean hasCert = Files.exists(cert), hasKey = Files.exists(key);
        if (!hasCert && !hasKey) {
            write(dir, SpiffeCa.newRoot(trustDomain, ROOT_LIFETIME, clock));
        } else if (!hasKey) {
            throw new CaFileException(key + " is missing but " + cert + " exists; restore the key, or remove both to"
                    + " generate a new root");
        } else if (!hasCert) {
            throw new CaFileException(cert + " is missing but " + key + " exists; restore the certificate, or remove"
                    + " both to generate a new root");
        }
        return load(dir, clock);
    }

    /** The root in {@code dir}, which must hold {@value #CERT} and {@value #KEY}. */
    public static MeshRoot load(Path dir, Clock clock) {
        Path certFile = dir.resolve(CERT), keyFile = dir.resolve(KEY);
        checkOwnerOnly(keyFile);
        List<X509Certificate> certs = certificates(certFile, read(certFile));
        if (certs.size() != 1)
            throw new CaFileException(certFile + " holds " + certs.size() + " certificates; expected the root alone");
        X509Certificate cert = certs.getFirst();
        if (cert.getBasicConstraints() < 0) throw new CaFileException(certFile + " is not a CA certificate");
        Instant now = clock.instant();
        if (cert.getNotAfter().toInstant().isBefore(now))
            throw new CaFileException(
                    certFile + " expired at " + cert.getNotAfter().toInstant() + "; rotate the root");
        PrivateKey key = privateKey(keyFile, read(keyFile));
        if (!matches(key, cert))
            throw new CaFileException(keyFile + " is not the key of the certificate in " + certFile);
        List<X509Certificate> alsoTrusted = new ArrayList<>();
        for (Path trustedFile : List.of(dir.resolve(NEXT_CERT), dir.resolve(TRUSTED))) {
            if (!Files.exists(trustedFile)) continue;
            for (X509Certificate c : certificates(trustedFile, read(trustedFile))) {
                if (c.getBasicConstraints() < 0)
                    throw new CaFileException(trustedFile + " holds a certificate that is not a CA: "
                            + c.getSubjectX500Principal().getName());
                if (c.getNotAfter().toInstant().isAfter(now)) alsoTrusted.add(c);
            }
        }
        return new MeshRoot(new IssuedCertificate("", cert, key), alsoTrusted);
    }

    /** Stages a new root for {@code trustDomain} as the next one: trusted from the next load on, not signing yet. */
    public static MeshRoot stage(Path dir, String trustDomain, Clock clock) {
        load(dir, clock); // refuse to stage beside a broken root
        IssuedCertificate next = SpiffeCa.newRoot(trustDomain, ROOT_LIFETIME, clock);
        replace(dir.resolve(NEXT_KEY), next.keyPem(), true);
        replace(dir.resolve(NEXT_CERT), next.certificatePem(), false);
        return load(dir, clock);
    }

    /**
     * Makes the staged root the signing one; the current root joins {@value #TRUSTED}, so leaves it signed stay
     * trusted until that file is removed.
     */
    public static MeshRoot promote(Path dir, Clock clock) {
        MeshRoot old = load(dir, clock);
        Path nextCert = dir.resolve(NEXT_CERT), nextKey = dir.resolve(NEXT_KEY);
        if (!Files.exists(nextCert) || !Files.exists(nextKey))
            throw new CaFileException("no staged root in " + dir + " (" + NEXT_CERT + " and " + NEXT_KEY + ")");
        checkOwnerOnly(nextKey);
        X509Certificate cert = certificates(nextCert, read(nextCert)).getFirst();
        PrivateKey key = privateKey(nextKey, read(nextKey));
        if (!matches(key, cert))
            throw new CaFileException(nextKey + " is not the key of the certificate in " + nextCert);
        StringBuilder trusted = new StringBuilder();
        for (X509Certificate c : old.trusted())
            if (!c.equals(cert)) trusted.append(IssuedCertificate.pem("CERTIFICATE", encoded(c)));
        replace(dir.resolve(TRUSTED), trusted.toString(), false);
        write(dir, new IssuedCertificate("", cert, key));
        try {
            Files.delete(nextCert);
            Files.delete(nextKey);
        } catch (IOException e) {
            throw new CaFileException("cannot remove the promoted " + nextCert + ": " + reason(e));
        }
        return load(dir, clock);
    }

    /** {@link #stage} and {@link #promote} at once: for a single node, or nodes that all reload together. */
    public static MeshRoot rotate(Path dir, String trustDomain, Clock clock) {
        stage(dir, trustDomain, clock);
        return promote(dir, clock);
    }

    /** Writes {@code root}'s certificate and key (key first: a reader never sees a certificate without its key). */
    static void write(Path dir, IssuedCertificate root) {
        try {
            Files.createDirectories(
                    dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new CaFileException("cannot create the CA directory " + dir + ": " + reason(e));
        }
        replace(dir.resolve(KEY), root.keyPem(), true);
        replace(dir.resolve(CERT), root.certificatePem(), false);
    }

    /** Writes {@code file} through a temporary file and an atomic rename; {@code secret} files are created 0600. */
    private static void replace(Path file, String content, boolean secret) {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.createFile(
                    tmp,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
            Files.writeString(tmp, content);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CaFileException("cannot write " + file + ": " + reason(e));
        }
    }

    private static void checkOwnerOnly(Path keyFile) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
            if (perms.stream().anyMatch(GROUP_OR_OTHER::contains)) {
                throw new CaFileException(keyFile + " has mode " + PosixFilePermissions.toString(perms)
                        + "; a CA key must be readable by its owner only (chmod 600 " + keyFile + ")");
            }
        } catch (IOException e) {
            throw new CaFileException("cannot read " + keyFile + ": " + reason(e));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new CaFileException("cannot read " + file + ": " + reason(e));
        }
    }

    private static List<X509Certificate> certificates(Path file, String pem) {
        List<X509Certificate> out = new ArrayList<>();
        try {
            CertificateFactory f = CertificateFactory.getInstance("X.509");
            for (Block b : blocks(pem)) {
                if (!b.type().equals("CERTIFICATE")) continue;
                out.add((X509Certificate) f.generateCertificate(new ByteArrayInputStream(b.der())));
            }
        } catch (CertificateException | IllegalArgumentException e) {
            throw new CaFileException(file + " holds a malformed certificate: " + e.getMessage());
        }
        if (out.isEmpty()) throw new CaFileException(file + " holds no PEM CERTIFICATE block");
        return out;
    }

    private static PrivateKey privateKey(Path file, String pem) {
        List<Block> blocks = blocks(pem);
        for (Block b : blocks) {
            if (b.type().equals("EC PRIVATE KEY") || b.type().equals("RSA PRIVATE KEY"))
                throw new CaFileException(file + " holds a " + b.type() + " block; nodemesh reads PKCS#8 (convert it"
                        + " with: openssl pkcs8 -topk8 -nocrypt -in " + file + ")");
            if (b.type().equals("ENCRYPTED PRIVATE KEY"))
                throw new CaFileException(file + " is encrypted; nodemesh reads an unencrypted PKCS#8 key");
            if (!b.type().equals("PRIVATE KEY")) continue;
            try {
                return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(b.der()));
            } catch (GeneralSecurityException e) {
                throw new CaFileException(file + " is not an EC private key (nodemesh signs with ECDSA)");
            }
        }
        throw new CaFileException(file + " holds no PEM PRIVATE KEY block");
    }

    /** Whether {@code key} signs what {@code cert}'s public key verifies. */
    private static boolean matches(PrivateKey key, X509Certificate cert) {
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(key);
            s.update(challenge);
            byte[] signature = s.sign();
            Signature v = Signature.getInstance("SHA256withECDSA");
            v.initVerify(cert.getPublicKey());
            v.update(challenge);
            return v.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    private record Block(String type, byte[] der) {}

    private static List<Block> blocks(String pem) {
        List<Block> out = new ArrayList<>();
        Matcher m = BLOCK.matcher(pem);
        while (m.find()) out.add(new Block(m.group(1), Base64.getMimeDecoder().decode(m.group(2))));
        return out;
    }

    private static byte[] encoded(X509Certificate c) {
        try {
            return c.getEncoded();
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException("a root certificate cannot be encoded", e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof AccessDeniedException) return "permission denied";
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
