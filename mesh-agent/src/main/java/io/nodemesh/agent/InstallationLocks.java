package io.nodemesh.agent;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.wireguard.WireguardSettings;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Tells {@code nodemesh uninstall} whether an agent manages what it would remove. A running agent holds a shared lock
 * on one file per installation it manages (the eBPF pin root, the WireGuard interface); uninstall needs the exclusive
 * lock. The kernel drops a process's locks when it dies, SIGKILL included, so a crashed agent never leaves a stale
 * lock behind, and agents on other pin roots or interfaces (tests, a second mesh) do not stand in the way.
 */
final class InstallationLocks implements AutoCloseable {
    static final Path DIR = Path.of("/run/nodemesh/locks");

    private final List<FileChannel> held;
    private final List<Path> files;

    private InstallationLocks(List<FileChannel> held, List<Path> files) {
        this.held = held;
        this.files = files;
    }

    /** The lock files of the node-level installations these backends make; sim and envoy leave nothing behind. */
    static List<Path> files(List<String> backends, DataplaneOptions options) {
        List<Path> files = new ArrayList<>();
        if (backends.contains("ebpf"))
            files.add(file("ebpf", EbpfSettings.from(options).pinRoot().toString()));
        if (backends.contains("wireguard")) {
            WireguardSettings wg = WireguardSettings.from(options);
            files.add(file("wireguard", wg.netns() + "/" + wg.iface()));
        }
        return files;
    }

    private static Path file(String backend, String what) {
        return DIR.resolve(backend + "-" + what.replaceAll("[^A-Za-z0-9._-]", "_") + ".lock");
    }

    /**
     * What a running agent holds. Best effort: where the directory cannot be made (not root, a read-only /run) the
     * agent runs without, and uninstall cannot see it.
     */
    static InstallationLocks share(List<Path> files) {
        List<FileChannel> held = new ArrayList<>();
        for (Path f : files) {
            try {
                Files.createDirectories(f.getParent());
                FileChannel ch = FileChannel.open(
                        f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                ch.lock(0, Long.MAX_VALUE, true);
                held.add(ch);
            } catch (IOException | OverlappingFileLockException | UnsupportedOperationException e) {
                // advisory only: see above
            }
        }
        return new InstallationLocks(held, List.copyOf(files));
    }

    /** The first lock file an agent holds now, if any. */
    static Optional<Path> heldByAnAgent(List<Path> files) {
        for (Path f : files) {
            if (!Files.exists(f)) continue;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                FileLock lock = ch.tryLock();
                if (lock == null) return Optional.of(f);
                lock.release();
            } catch (OverlappingFileLockException e) {
                return Optional.of(f); // an agent in this very JVM (tests, embedders)
            } catch (IOException e) {
                // unreadable: nobody can hold it through this path either
            }
        }
        return Optional.empty();
    }

    /** Once the installations are gone, their lock files go too, so a node that had nodemesh keeps nothing of it. */
    static void remove(List<Path> files) {
        for (Path f : files) {
            try {
                Files.deleteIfExists(f);
            } catch (IOException e) {
                // an empty file in /run, gone at boot
            }
        }
    }

    /**
     * Releases the locks and removes each file no other agent holds, so stopping leaves nothing in {@code /run}; a
     * SIGKILLed agent's file stays, unlocked, until the next agent or uninstall takes and removes it.
     */
    @Override
    public void close() {
        for (FileChannel ch : held) {
            try {
                ch.close();
            } catch (IOException e) {
                // released with the process anyway
            }
        }
        for (Path f : files) {
            if (Files.exists(f) && heldByAnAgent(List.of(f)).isEmpty()) remove(List.of(f));
        }
    }
}
