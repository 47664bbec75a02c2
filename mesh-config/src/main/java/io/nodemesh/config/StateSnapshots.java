package io.nodemesh.config;

import io.nodemesh.api.state.MeshState;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Valid YAML state files' parses kept as JSON in a directory of the caller's, so that reading the same bytes again (an
 * agent restart) costs a JSON read instead of a YAML parse: SnakeYAML takes seconds on a cold JVM for a 10,000-service
 * file, the JSON reader a tenth of that. One entry per state file path. An entry is used only for the exact bytes it was
 * made from (SHA-256) and the build that made it (the api and config jars); anything else, a missing, stale, truncated
 * or unreadable entry, is a miss and the file is parsed and validated as usual. Best effort: a directory that cannot be
 * written costs the speed-up, never an error. JSON files gain nothing and are read directly.
 */
public final class StateSnapshots {
    /** Bump when the entry layout changes: older entries then miss. */
    static final String FORMAT = "nodemesh-state-snapshot/1";

    private static final String BUILD = buildStamp();

    private final Path dir;
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();

    private StateSnapshots(Path dir) {
        this.dir = dir;
    }

    /** Snapshots under {@code dir} (created when the first one is written). */
    public static StateSnapshots in(Path dir) {
        return new StateSnapshots(dir.toAbsolutePath());
    }

    public Path directory() {
        return dir;
    }

    /**
     * Like {@link MeshStateFiles#check(Path)}, from the snapshot when one of exactly these bytes exists. A hit is not
     * validated again: the same bytes and the same build gave a valid state when it was written (and every backend's
     * apply validates anyway). A valid YAML file that missed is written as the file's snapshot.
     *
     * @throws IOException the state file cannot be read
     */
    public CheckedState check(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        String content = new String(bytes, StandardCharsets.UTF_8);
        StateFormat format = StateFormat.of(file, content);
        if (format == StateFormat.JSON) return MeshStateFiles.check(file.toString(), content, format);
        String header = FORMAT + " " + sha256(bytes) + " " + BUILD + "\n";
        Path entry = entryOf(file);
        MeshState cached = load(file, entry, header);
        if (cached != null) {
            hits.incrementAndGet();
            return new CheckedState.Valid(cached);
        }
        misses.incrementAndGet();
        CheckedState checked = MeshStateFiles.check(file.toString(), content, format);
        if (checked instanceof CheckedState.Valid(MeshState state)) store(entry, header, state);
        return checked;
    }

    /** How many reads came from a snapshot. */
    public long hits() {
        return hits.get();
    }

    /** How many reads parsed the file. */
    public long misses() {
        return misses.get();
    }

    /** The entry of {@code file}: named by its absolute path, so two files never share one. */
    Path entryOf(Path file) {
        String name = sha256(file.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8))
                .substring(0, 32);
        return dir.resolve(name + ".json");
    }

    private static MeshState load(Path file, Path entry, String header) {
        String text;
        try {
            text = Files.readString(entry, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            return null; // unreadable: a miss
        }
        if (!text.startsWith(header)) return null;
        try {
            return MeshStateFiles.parse(file.toString(), text.substring(header.length()), StateFormat.JSON);
        } catch (StateFileException | RuntimeException e) {
            return null; // damaged: a miss, and the next valid read overwrites it
        }
    }

    /** Written aside and renamed over, so a reader (or a killed writer) never sees half an entry. */
    private void store(Path entry, String header, MeshState state) {
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, entry.getFileName().toString(), ".tmp");
            try {
                Files.writeString(tmp, header + MeshStateFiles.write(state, StateFormat.JSON), StandardCharsets.UTF_8);
                try {
                    Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, entry, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the next read parses the file again
        }
    }

    /** The jars (or class directories) of the state records and of this reader, with their size and time. */
    private static String buildStamp() {
        StringBuilder s = new StringBuilder();
        for (Class<?> c : new Class<?>[] {MeshState.class, StateSnapshots.class}) {
            try {
                Path where = Path.of(
                        c.getProtectionDomain().getCodeSource().getLocation().toURI());
                s.append(Files.size(where))
                        .append('.')
                        .append(Files.getLastModifiedTime(where).toMillis());
            } catch (Exception e) {
                s.append("unknown"); // still stable within one build
            }
            s.append('/');
        }
        return sha256(s.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 16);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
