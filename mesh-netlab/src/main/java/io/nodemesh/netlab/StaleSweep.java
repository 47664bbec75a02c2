package io.nodemesh.netlab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Removes lab objects whose names match a predicate — usually {@link LabPrefix#staleRuns()}, optionally
 * {@code .or(prefix::owns)} to also clear this run's own earlier leftovers. Each method returns what it removed, so
 * the caller can say so. Namespaces are removed with the processes inside them (those are the dead run's daemons).
 */
public final class StaleSweep {
    private final Predicate<String> doomed;

    private StaleSweep(Predicate<String> doomed) {
        this.doomed = doomed;
    }

    public static StaleSweep matching(Predicate<String> doomed) {
        return new StaleSweep(doomed);
    }

    /** Matching network namespaces (needs root). */
    public List<String> namespaces() {
        List<String> removed = new ArrayList<>();
        for (String ns : Netns.list()) {
            if (!doomed.test(ns)) continue;
            Netns.named(ns).delete();
            removed.add(ns);
        }
        return removed;
    }

    /** Matching links of the root namespace (needs root). */
    public List<String> rootLinks() {
        List<String> removed = new ArrayList<>();
        for (String link : Links.names(Netns.root())) {
            if (doomed.test(link) && Links.delete(Netns.root(), link)) removed.add(link);
        }
        return removed;
    }

    /** Matching files directly in {@code dir} (sockets, logs); a missing directory holds nothing. */
    public List<String> files(Path dir) {
        List<String> removed = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                if (doomed.test(p.getFileName().toString()) && Files.deleteIfExists(p)) removed.add(p.toString());
            }
        } catch (NoSuchFileException e) {
            return removed;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot sweep " + dir + ": " + e.getMessage(), e);
        }
        return removed;
    }
}
