package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.contract.Privileges;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nodemesh agent --backend ebpf} on the real kernel, on a bpffs pin directory and a cgroup-v2 root of its own
 * ({@code nma<pid>}). A first run applies the state file and stops: the programs stay pinned and the service map keeps
 * its entries without the agent. A second run takes the installation over, and {@code --uninstall} removes every pin.
 * The kernel's maps are read with bpftool, not through the agent.
 */
class AgentEbpfRootTest {
    static final String PREFIX = "nma" + ProcessHandle.current().pid();
    static final Path BPFFS = Path.of("/sys/fs/bpf");
    static final Path CGROUP2 = Path.of("/sys/fs/cgroup/unified");

    @TempDir
    Path dir;

    Path pins;
    Path cgroup;

    @BeforeEach
    void requirements() throws IOException {
        Privileges.requireRoot();
        Privileges.requireBinary("bpftool", "bpftool");
        Privileges.require(Files.isDirectory(CGROUP2), "cgroup v2 not mounted at " + CGROUP2);
        Availability ebpf = Dataplanes.available().get("ebpf");
        Privileges.require(ebpf != null && ebpf.isAvailable(), "the ebpf backend is unavailable: " + ebpf);
        sweepStale();
        pins = BPFFS.resolve(PREFIX); // its parent is bpffs itself: the backend mounts nothing of its own
        cgroup = Files.createDirectories(CGROUP2.resolve(PREFIX));
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (pins != null) NodeLeftovers.removeTree(pins);
        if (cgroup != null) io.nodemesh.netlab.Cgroups.removeTree(cgroup);
    }

    @Test
    void appliesTheStateLeavesItPinnedThenUninstallsEverything() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, AgentCommandFileSourceTest.ONE_SERVICE);
        String[] args = {
            "--source",
            "file",
            "--state",
            state.toString(),
            "--backend",
            "ebpf",
            "--node",
            "node-a",
            "--listen",
            "127.0.0.1:0",
            "--quiet-flows",
            "--pin-path",
            pins.toString(),
            "--cgroup-root",
            cgroup.toString()
        };

        try (AgentRun first = AgentRun.start(args)) {
            first.await(
                    "the first apply",
                    () -> first.out().contains("applied mesh.yaml (generation 1)") || first.exitCode() >= 0);
            assertThat(first.out())
                    .as("agent output; errors: %s", first.err())
                    .contains("applied mesh.yaml (generation 1)");
            assertThat(serviceEntries())
                    .as("nm_services entries (shop/api 10.96.0.10:80)")
                    .isPositive();
            assertThat(first.stop()).isZero();
            assertThat(first.out()).contains("ebpf: still running").contains(pins.toString());
        }
        // The agent is gone; the kernel keeps serving: programs linked, the service still in the map.
        assertThat(pins.resolve("links")).isNotEmptyDirectory();
        assertThat(serviceEntries()).isPositive();

        String[] uninstalling =
                Stream.concat(Stream.of(args), Stream.of("--uninstall")).toArray(String[]::new);
        try (AgentRun second = AgentRun.start(uninstalling)) {
            second.await(
                    "the state applied again",
                    () -> second.out().contains("state file mesh.yaml: unchanged")
                            || second.out().contains("applied mesh.yaml")
                            || second.exitCode() >= 0);
            assertThat(second.exitCode()).as("agent errors: %s", second.err()).isEqualTo(-1);
            assertThat(second.stop()).isZero();
            assertThat(second.out()).contains("ebpf: uninstalled").endsWith("stopped and uninstalled\n");
        }
        assertThat(pins).doesNotExist();
        assertThat(bpftool("link", "show")).doesNotContain(PREFIX);
    }

    /** Entries in the pinned service map, as bpftool reads them from the kernel. */
    private int serviceEntries() throws Exception {
        String json = bpftool(
                "-j", "map", "dump", "pinned", pins.resolve("nm_services").toString());
        int n = 0;
        for (int i = json.indexOf("\"key\""); i >= 0; i = json.indexOf("\"key\"", i + 1)) n++;
        return n;
    }

    private static String bpftool(String... args) throws Exception {
        List<String> cmd = Stream.concat(Stream.of("bpftool"), Stream.of(args)).toList();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new AssertionError(String.join(" ", cmd) + " failed: " + out);
        return out;
    }

    /** Pin directories and cgroups of earlier runs whose process is gone (a crashed run cleans up nothing). */
    private static void sweepStale() throws IOException {
        for (Path root : List.of(BPFFS, CGROUP2)) {
            try (Stream<Path> s = Files.list(root)) {
                for (Path p : s.toList()) {
                    String n = p.getFileName().toString();
                    if (!n.matches("nma\\d+")) continue;
                    if (ProcessHandle.of(Long.parseLong(n.substring(3))).isPresent()) continue;
                    if (root.equals(BPFFS)) NodeLeftovers.removeTree(p);
                    else io.nodemesh.netlab.Cgroups.removeTree(p);
                }
            }
        }
    }
}
