package io.nodemesh.envoy.internal.ca;

import io.nodemesh.envoy.Bootstraps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Workload credentials as files, for proxyless gRPC's {@code file_watcher} certificate provider: under {@code root},
 * one directory per identity ({@link Bootstraps#workloadCredentialsDir}) holding {@code cert.pem}, {@code key.pem}
 * (mode 0600) and {@code ca.pem}, rewritten when the certificate rotates.
 * <p>
 * The watcher re-reads certificate and key whenever either file's modification time changed, and would pair a new key
 * with the old certificate if they were replaced one after the other. So the three files are written into a fresh
 * version directory and switched together, as Kubernetes does for projected volumes: {@code cert.pem} is a symlink to
 * {@code ..data/cert.pem}, and {@code ..data} a symlink to the current version, replaced by an atomic rename.
 */
public final class WorkloadCredentialFiles {
    private static final String DATA = "..data";

    private final Path root;
    /** Serial number last written per identity, so an unchanged certificate is not rewritten on every apply. */
    private final Map<String, String> written = new HashMap<>();

    public WorkloadCredentialFiles(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Writes {@code cert}'s files (and {@code caPem}) unless this very certificate is what is there; returns the directory. */
    public synchronized Path write(IssuedCertificate cert, String caPem) {
        Path dir = Bootstraps.workloadCredentialsDir(root, cert.spiffeId());
        String serial = cert.certificate().getSerialNumber().toString(16);
        if (serial.equals(written.get(cert.spiffeId())) && Files.exists(dir.resolve(Bootstraps.CERT_FILE))) return dir;
        writeTo(dir, cert, caPem);
        written.put(cert.spiffeId(), serial);
        return dir;
    }

    /** Removes the directories of identities not in {@code keep} (workloads that left the node or the mesh). */
    public synchronized void retain(Set<String> keep) {
        for (String id : Set.copyOf(written.keySet())) {
            if (keep.contains(id)) continue;
            written.remove(id);
            deleteTree(Bootstraps.workloadCredentialsDir(root, id));
        }
    }

    /** Writes the three files into {@code dir} and switches to them at once. */
    public static void writeTo(Path dir, IssuedCertificate cert, String caPem) {
        try {
            Files.createDirectories(dir);
            Path version = Files.createTempDirectory(dir, "..v");
            Files.writeString(version.resolve(Bootstraps.CERT_FILE), cert.certificatePem());
            Path key = version.resolve(Bootstraps.KEY_FILE);
            Files.createFile(key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(key, cert.keyPem());
            Files.writeString(version.resolve(Bootstraps.CA_FILE), caPem);
            Path previous = Files.isSymbolicLink(dir.resolve(DATA))
                    ? dir.resolve(Files.readSymbolicLink(dir.resolve(DATA)))
                    : null;
            Path next = dir.resolve("..data_tmp");
            Files.deleteIfExists(next);
            Files.createSymbolicLink(next, version.getFileName());
            Files.move(next, dir.resolve(DATA), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String f : new String[] {Bootstraps.CERT_FILE, Bootstraps.KEY_FILE, Bootstraps.CA_FILE}) {
                Path link = dir.resolve(f);
                if (Files.isSymbolicLink(link)) continue;
                Files.deleteIfExists(link);
                try {
                    Files.createSymbolicLink(link, Path.of(DATA, f));
                } catch (FileAlreadyExistsException raced) {
                    // another writer made it meanwhile: it points at ..data as well
                }
            }
            if (previous != null && !previous.equals(version)) deleteTree(previous);
            sweepStaleVersions(dir, version);
        } catch (AtomicMoveNotSupportedException e) {
            throw new UncheckedIOException("credentials directory " + dir + " does not support atomic renames", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the credentials of " + cert.spiffeId() + " to " + dir, e);
        }
    }

    /** Version directories left behind by a writer that failed half-way. */
    private static void sweepStaleVersions(Path dir, Path current) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "..v*")) {
            for (Path p : entries) {
                if (!p.equals(current) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path p) {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + p, e);
        }
    }
}
