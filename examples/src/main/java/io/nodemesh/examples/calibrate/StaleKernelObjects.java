package io.nodemesh.examples.calibrate;

import io.nodemesh.netlab.Cgroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Removes a calibration's pin directory and cgroup, and those of calibrations whose process is gone
 * ({@code <letters><pid>} with no such pid): a crashed run cleans up nothing itself.
 */
final class StaleKernelObjects {
    private StaleKernelObjects() {}

    /** Pin directories under {@code bpffs} and cgroups under {@code cgroup2} named {@code <letters><dead pid>}. */
    static List<String> sweep(String letters, Path bpffs, Path cgroup2) {
        List<String> removed = new ArrayList<>();
        for (Path root : List.of(bpffs, cgroup2)) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (!n.matches(letters + "\\d+")) continue;
                    if (ProcessHandle.of(Long.parseLong(n.substring(letters.length())))
                            .isPresent()) continue;
                    if (root.equals(bpffs)) removePins(p);
                    else Cgroups.removeTree(p);
                    removed.add(p.toString());
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list " + root, e);
            }
        }
        return removed;
    }

    static void remove(Path pins, Path cgroup) {
        removePins(pins);
        Cgroups.removeTree(cgroup);
    }

    /** Removing a pin drops the kernel object once nothing else holds it: a pinned link detaches its program. */
    static void removePins(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove pins under " + dir, e);
        }
    }
}
