package io.nodemesh.netlab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Cgroup-v2 directories as tests and labs use them: find this JVM's, move it into another and back, remove a tree.
 * Programs attached at a cgroup see only sockets of processes in it, so a test joins the cgroup its dataplane watches
 * to have its own connects translated, and leaves it before cleaning up.
 */
public final class Cgroups {
    private Cgroups() {}

    /** This process's cgroup-v2 directory under {@code mount} (the mount itself if the process sits at the root). */
    public static Path current(Path mount) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
                if (line.startsWith("0::"))
                    return mount.resolve(line.substring(3).replaceFirst("^/", ""));
            }
            return mount;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read /proc/self/cgroup", e);
        }
    }

    /**
     * Moves this whole JVM into {@code dir}; closing the answer moves it back to {@code from} (where it was, as
     * {@link #current} gave it before).
     */
    public static Joined join(Path dir, Path from) {
        movePid(dir, ProcessHandle.current().pid());
        return new Joined(from);
    }

    /** This JVM inside a cgroup until {@link #close()} moves it back; closing twice does nothing. */
    public static final class Joined implements AutoCloseable {
        private final Path from;
        private boolean left;

        private Joined(Path from) {
            this.from = from;
        }

        @Override
        public synchronized void close() {
            if (left) return;
            movePid(from, ProcessHandle.current().pid());
            left = true;
        }
    }

    /**
     * Removes {@code dir} and every cgroup below it, deepest first. A cgroup goes with rmdir only once empty, so
     * processes still inside are handed to {@code dir}'s parent first, never killed here.
     */
    public static void removeTree(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isDirectory)
                    .sorted(Comparator.reverseOrder())
                    .toList()) {
                for (String pid : pids(p)) {
                    try {
                        movePid(dir.getParent(), Long.parseLong(pid));
                    } catch (UncheckedIOException gone) {
                        // the process ended meanwhile
                    }
                }
                try {
                    Files.deleteIfExists(p);
                } catch (NoSuchFileException gone) {
                    // removed concurrently
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove cgroup " + dir, e);
        }
    }

    private static List<String> pids(Path cgroup) throws IOException {
        Path procs = cgroup.resolve("cgroup.procs");
        if (!Files.exists(procs)) return List.of();
        return Files.readAllLines(procs).stream()
                .map(String::strip)
                .filter(p -> !p.isEmpty())
                .toList();
    }

    private static void movePid(Path cgroup, long pid) {
        Path procs = cgroup.resolve("cgroup.procs");
        try {
            Files.writeString(procs, Long.toString(pid));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move process " + pid + " into " + cgroup + ": " + e.getMessage(), e);
        }
    }
}
