package io.nodemesh.examples.lab;

import io.nodemesh.netlab.LabPrefix;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.StaleSweep;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * Where a lab leaves things, by name: namespaces, root links, pin and cgroup directories, WireGuard sockets and runtime
 * files, the agents' lock files and the lab's temp directory, all named after the lab's {@link LabPrefix}. One list of
 * places for the sweep at start, the teardown and the check that nothing is left.
 */
final class LabLeftovers {
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");
    static final Path UAPI_SOCKETS = Path.of("/var/run/wireguard");
    static final Path WG_RUNTIME = Path.of("/run/nodemesh/wireguard");
    static final Path LOCKS = Path.of("/run/nodemesh/locks");
    static final Path TMP = Path.of(System.getProperty("java.io.tmpdir"));

    private LabLeftovers() {}

    /** Removes what earlier labs of {@code prefix}'s stem left whose JVM is gone; returns what it removed. */
    static List<String> sweepStale(LabPrefix prefix) {
        return remove(prefix.staleRuns().or(prefix::owns));
    }

    /** Removes everything named by {@code doomed}, each kind even when another failed; returns what it removed. */
    static List<String> remove(Predicate<String> doomed) {
        List<String> removed = new ArrayList<>();
        List<RuntimeException> failures = new ArrayList<>();
        StaleSweep sweep = StaleSweep.matching(doomed);
        step(failures, () -> sweep.namespaces().forEach(n -> removed.add("netns " + n)));
        step(failures, () -> sweep.rootLinks().forEach(n -> removed.add("link " + n)));
        step(failures, () -> removed.addAll(sweep.files(UAPI_SOCKETS)));
        step(failures, () -> removed.addAll(sweep.files(WG_RUNTIME)));
        step(failures, () -> removed.addAll(containing(LOCKS, doomed, false)));
        step(failures, () -> removed.addAll(containing(BPFFS, doomed, true)));
        step(failures, () -> removed.addAll(containing(CGROUP2, doomed, true)));
        step(failures, () -> removed.addAll(containing(TMP, doomed, true)));
        if (!failures.isEmpty()) throw failures.getFirst();
        return removed;
    }

    /** What of {@code prefix}'s is still there. */
    static List<String> of(LabPrefix prefix) {
        List<String> left = new ArrayList<>();
        for (String ns : Netns.list()) if (prefix.owns(ns)) left.add("netns " + ns);
        for (String link : Links.names(Netns.root())) if (prefix.owns(link)) left.add("link " + link);
        for (Path dir : List.of(BPFFS, CGROUP2, UAPI_SOCKETS, WG_RUNTIME, TMP)) {
            for (Path p : list(dir)) if (prefix.owns(p.getFileName().toString())) left.add(p.toString());
        }
        for (Path p : list(LOCKS)) if (p.getFileName().toString().contains(prefix.value())) left.add(p.toString());
        ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").contains(prefix.value()))
                .forEach(h ->
                        left.add("process " + h.pid() + " " + h.info().command().orElse("")));
        return left;
    }

    /**
     * Entries of {@code dir} named by {@code doomed}; lock files are named after the pin root or interface inside a
     * longer name, so for those ({@code whole} false) a doomed prefix anywhere in the name counts.
     */
    private static List<String> containing(Path dir, Predicate<String> doomed, boolean whole) {
        List<String> removed = new ArrayList<>();
        for (Path p : list(dir)) {
            String name = p.getFileName().toString();
            boolean match = whole ? doomed.test(name) : anySuffix(name, doomed);
            if (!match) continue;
            if (dir.equals(CGROUP2)) removeCgroup(p);
            else removeTree(p);
            removed.add(p.toString());
        }
        return removed;
    }

    /** True if a lab name starts anywhere in {@code name} (lock files: {@code ebpf-_sys_fs_bpf_nml42n1.lock}). */
    private static boolean anySuffix(String name, Predicate<String> doomed) {
        for (int i = 0; i < name.length(); i++) {
            if (Character.isLetter(name.charAt(i))
                    && doomed.test(name.substring(i).replaceFirst("\\.lock$", ""))) return true;
        }
        return false;
    }

    private static List<Path> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Removing a pin drops its kernel object once nothing else holds it: a pinned link detaches. */
    static void removeTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * A cgroup goes with rmdir once it and its children are empty: processes still in it (a dead lab's) are killed
     * first, children removed before their parent.
     */
    static void removeCgroup(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> dirs = s.filter(Files::isDirectory)
                    .sorted(Comparator.reverseOrder())
                    .toList();
            for (Path d : dirs) {
                for (String pid : readLines(d.resolve("cgroup.procs"))) {
                    if (!pid.isBlank())
                        ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(h -> {
                            h.destroyForcibly();
                            h.onExit().join();
                        });
                }
            }
            for (Path d : dirs) Files.deleteIfExists(d);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove cgroup " + dir + ": " + e.getMessage(), e);
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            return List.of();
        }
    }

    private static void step(List<RuntimeException> failures, Runnable step) {
        try {
            step.run();
        } catch (RuntimeException e) {
            failures.add(e);
        }
    }
}
