package io.nodemesh.wireguard;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * A node's private key on disk, in {@code wg genkey}'s base64 form. Files are created owner-only (0600) from the
 * start — never written first and chmod-ed after — and replaced atomically, so a reader sees the old key or the new
 * one, never half of either.
 */
public final class PrivateKeyFile {
    static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private PrivateKeyFile() {}

    /** Reads the key at {@code file}; refuses a file others can read, as {@code wg} warns about. */
    public static WireguardPrivateKey load(Path file) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
            if (!OWNER_ONLY.containsAll(perms)) {
                throw new IllegalStateException("private key file " + file + " is readable by others ("
                        + PosixFilePermissions.toString(perms) + "); chmod 600 it or delete it to generate a new key");
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                return WireguardPrivateKey.parse(text);
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException("private key file " + file + ": " + e.getMessage(), e);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read private key file " + file, e);
        }
    }

    /** Writes {@code key} to {@code file} atomically with mode 0600, creating the parent directory (0700) if needed. */
    public static void store(Path file, WireguardPrivateKey key) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                try {
                    Files.createDirectories(
                            dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException ignored) {
                    // raced with another creator: fine
                }
            }
            Path tmp = Files.createTempFile(
                    dir, "." + file.getFileName(), ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try {
                Files.writeString(tmp, key.revealBase64() + "\n", StandardCharsets.US_ASCII);
                try {
                    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write private key file " + file, e);
        }
    }

    /** The key at {@code file}, or a new one generated and stored there when the file does not exist. */
    public static WireguardPrivateKey loadOrCreate(Path file) {
        if (Files.exists(file)) return load(file);
        WireguardPrivateKey key = WireguardPrivateKey.generate();
        store(file, key);
        return key;
    }
}
