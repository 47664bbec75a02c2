package io.nodemesh.ebpf.support;

import io.nodemesh.contract.Privileges;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import io.nodemesh.netlab.Cgroups;
import io.nodemesh.netlab.LabPrefix;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Shared set-up of mesh-ebpf's privileged tests: the per-run prefix {@code nme<pid>}, a bpffs pin directory and a
 * cgroup-v2 test root with that prefix, sweeping of what a crashed earlier run left behind.
 */
public final class RootSupport {
    /** The run's prefix {@code nme<pid>}: leftovers with a dead pid are a crashed run's (see {@link LabPrefix#staleRuns()}). */
    public static final LabPrefix LAB = LabPrefix.forThisProcess("nme");

    public static final String PREFIX = LAB.value();
    public static final Path BPFFS = Path.of("/sys/fs/bpf");
    public static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");

    private static boolean swept;

    private RootSupport() {}

    /** Skips (or fails under CI) unless root with a usable libbpf; mounts bpffs when missing; sweeps stale leftovers. */
    public static Bpf requireBpf() {
        Privileges.requireRoot();
        Privileges.require(Bpf.unavailability().isEmpty(), Bpf.unavailability().orElse(""));
        Privileges.require(Files.isDirectory(CGROUP2), "cgroup v2 not mounted at " + CGROUP2);
        Bpf bpf = Bpf.system();
        if (!bpf.isOnBpffs(BPFFS)) BpfSeam.libbpf(bpf).mountBpffs(BPFFS.toString());
        synchronized (RootSupport.class) {
            if (!swept) {
                sweepStale();
                swept = true;
                // Whatever class ran last, the run's top-level pin and cgroup directories go when the JVM does.
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        cleanUp();
                    } catch (RuntimeException e) {
                        System.err.println("nodemesh test clean-up: " + e);
                    }
                }));
            }
        }
        return bpf;
    }

    /** A fresh, empty pin directory {@code /sys/fs/bpf/nme<pid>/<name>}. */
    public static Path pinDir(String name) {
        Path dir = BPFFS.resolve(PREFIX).resolve(name);
        removeTree(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** Removes the run's pin directory and cgroups (call from @AfterAll / finally). */
    public static void cleanUp() {
        removeTree(BPFFS.resolve(PREFIX));
        // applied-state records of pin roots under this run's prefix (tests that keep the default ebpf.stateDir)
        removeTree(io.nodemesh.ebpf.EbpfSettings.DEFAULT_STATE_DIR
                .resolve(BPFFS.getRoot().relativize(BPFFS).toString())
                .resolve(PREFIX));
        removeCgroupTree(CGROUP2.resolve(PREFIX));
    }

    /** Loads one of mesh-ebpf's own test objects (src/test/bpf). */
    public static ObjectSpec testObject(String name) {
        return ObjectSpec.fromResource(RootSupport.class, "/io/nodemesh/ebpf/testbpf/" + name + ".bpf.o");
    }

    /** Files under bpffs and cgroup dirs named nme<pid> whose process is gone. */
    private static void sweepStale() {
        for (Path root : List.of(BPFFS, CGROUP2)) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (!n.matches("nme\\d+") || !LAB.staleRuns().test(n)) continue;
                    if (root.equals(BPFFS)) removeTree(p);
                    else removeCgroupTree(p);
                }
            } catch (IOException e) {
                // nothing to sweep
            }
        }
    }

    public static void removeTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    /** Cgroup directories are removed with rmdir, deepest first; their control files go with them. */
    public static void removeCgroupTree(Path dir) {
        Cgroups.removeTree(dir);
    }
}
