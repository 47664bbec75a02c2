package io.nodemesh.agent;

import io.nodemesh.config.CheckedState;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.config.StateSnapshots;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * One read of the state file, parsed and validated (through the {@link StateSnapshots} when the agent keeps them),
 * with the SHA-256 of the bytes it read: started at once on a thread of its own so that parsing a large file overlaps
 * opening the backends, and used by the first apply only if the file still holds those bytes.
 */
final class StateFileRead {
    /** What was read: the check, or why the file could not be read; and the digest of the bytes. */
    record Outcome(byte[] digest, CheckedState checked, IOException failure) {}

    private final Path file;
    private final CompletableFuture<Outcome> outcome;

    private StateFileRead(Path file, CompletableFuture<Outcome> outcome) {
        this.file = file;
        this.outcome = outcome;
    }

    /** Starts reading {@code file} now. */
    static StateFileRead start(Path file, Optional<StateSnapshots> snapshots) {
        CompletableFuture<Outcome> f = new CompletableFuture<>();
        Thread.ofPlatform().name("nodemesh-state-read").daemon().start(() -> {
            try {
                f.complete(read(file, snapshots));
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        });
        return new StateFileRead(file, f);
    }

    /** Reads {@code file} on this thread. */
    static Outcome read(Path file, Optional<StateSnapshots> snapshots) {
        try {
            byte[] digest = digestOf(file);
            CheckedState checked = snapshots.isPresent() ? snapshots.get().check(file) : MeshStateFiles.check(file);
            return new Outcome(digest, checked, null);
        } catch (IOException e) {
            return new Outcome(new byte[0], null, e);
        }
    }

    /**
     * The read, if the file still holds the bytes it read (a save in between makes it stale: the caller reads again).
     * Waits for it to finish.
     */
    Optional<Outcome> ifCurrent() {
        Outcome o = outcome.join();
        if (o.failure() != null) return Optional.empty();
        try {
            return Arrays.equals(o.digest(), digestOf(file)) ? Optional.of(o) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static byte[] digestOf(Path file) throws IOException {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
