package io.nodemesh.agent;

import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.contract.Privileges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the agent's root tests make on the node and must leave nothing of: network namespaces, pin directories,
 * cgroups and wireguard-go processes, all named {@code <prefix><pid>} after the test JVM, so a run can sweep what a
 * killed earlier run left.
 */
public final class NodeLeftovers {
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");

    private NodeLeftovers() {}

    /** Skips (with the reason) unless this is root with what a whole node needs and {@code backends} are available. */
    static void requireNode(List<String> backends) {
        Privileges.requireRoot();
        Privileges.requireBinary("wireguard-go", "wireguard-go");
        Privileges.requireBinary("ip", "iproute2");
        Privileges.require(Files.isDirectory(CGROUP2), "cgroup v2 not mounted at " + CGROUP2);
        for (String b : backends) {
            Availability a = Dataplanes.available().get(b);
            Privileges.require(a != null && a.isAvailable(), "the " + b + " backend is unavailable: " + a);
        }
    }

    /** The wireguard-go serving {@code iface}, its UAPI socket and its runtime files, whatever the test left. */
    static void removeWireguard(String iface) throws IOException {
        wireguardGo(iface).forEach(ProcessHandle::destroyForcibly);
        Files.deleteIfExists(Path.of("/var/run/wireguard", iface + ".sock"));
        for (String runtime : List.of(".pid", ".log")) {
            Files.deleteIfExists(Path.of("/run/nodemesh/wireguard", iface + runtime));
        }
    }

    /** Runs a command to completion; its output, or an AssertionError naming it and what it printed. */
    static String run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running " + String.join(" ", cmd), e);
        }
        return out;
    }

    /** The wireguard-go processes serving {@code iface}. */
    static List<ProcessHandle> wireguardGo(String iface) {
        return ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().orElse("").matches(".*wireguard-go.* " + iface + "( .*)?$"))
                .toList();
    }

    /** Pins, cgroups and namespaces named {@code <prefix><pid>} whose JVM is gone. */
    static void sweepStale(String prefix) throws IOException {
        for (Path root : List.of(BPFFS, CGROUP2, Path.of("/var/run/netns"))) {
            if (!Files.isDirectory(root)) continue;
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (!n.matches(prefix + "\\d+")
                            || ProcessHandle.of(Long.parseLong(n.substring(prefix.length())))
                                    .isPresent()) continue;
                    if (root.equals(BPFFS)) removeTree(p);
                    else if (root.equals(CGROUP2)) Files.deleteIfExists(p);
                    else run("ip", "netns", "del", n);
                }
            }
        }
    }

    /** Removes {@code dir} and everything below it, if it exists. */
    public static void removeTree(Path dir) {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
