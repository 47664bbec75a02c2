package io.nodemesh.agent;

import static io.nodemesh.agent.NodeLeftovers.removeTree;
import static io.nodemesh.agent.NodeLeftovers.removeWireguard;
import static io.nodemesh.agent.NodeLeftovers.requireNode;
import static io.nodemesh.agent.NodeLeftovers.run;
import static io.nodemesh.agent.NodeLeftovers.sweepStale;
import static io.nodemesh.agent.NodeLeftovers.wireguardGo;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A whole node: {@code nodemesh agent --backend ebpf,envoy,wireguard}, configured from one set of flags. eBPF on a
 * bpffs pin directory and cgroup of its own, Envoy's xDS server on loopback, wireguard-go in a network namespace of
 * its own (all named {@code nmn<pid>}). Stopped without {@code --uninstall}: eBPF stays pinned, wireguard-go and its
 * interface keep running; the next agent adopts them, and stopped with {@code --uninstall} removes them all.
 */
class AgentNodeRootTest {
    static final String PREFIX = "nmn" + ProcessHandle.current().pid();
    static final String IFACE = PREFIX + "w";
    static final Path BPFFS = NodeLeftovers.BPFFS;

    @TempDir
    Path dir;

    Path pins;
    Path cgroup;
    boolean netns;

    @BeforeEach
    void requirements() throws Exception {
        requireNode(List.of("ebpf", "envoy", "wireguard"));
        sweepStale("nmn");
        pins = BPFFS.resolve(PREFIX);
        cgroup = Files.createDirectories(NodeLeftovers.CGROUP2.resolve(PREFIX));
        run("ip", "netns", "add", PREFIX);
        netns = true;
        run("ip", "-n", PREFIX, "link", "set", "lo", "up");
    }

    @AfterEach
    void cleanUp() throws Exception {
        removeWireguard(IFACE);
        if (netns) run("ip", "netns", "del", PREFIX);
        if (pins != null) removeTree(pins);
        if (cgroup != null) Files.deleteIfExists(cgroup);
    }

    @Test
    void composesTheNodeFromOneSetOfFlagsLeavesItServingAndTheNextAgentAdoptsAndUninstalls() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, AgentCommandFileSourceTest.ONE_SERVICE);
        Path key = dir.resolve("wg").resolve(IFACE + ".key");
        List<String> flags = List.of(
                "--source",
                "file",
                "--state",
                state.toString(),
                "--node",
                "node-a",
                "--backend",
                "ebpf,envoy,wireguard",
                "--listen",
                "127.0.0.1:0",
                "--quiet-flows",
                "--proxy-address",
                "127.0.0.1",
                "--proxy-port",
                "15099",
                "--pin-path",
                pins.toString(),
                "--cgroup-root",
                cgroup.toString(),
                "--wireguard-interface",
                IFACE,
                "--wireguard-port",
                "51999",
                "--wireguard-key-file",
                key.toString(),
                "--option",
                "wireguard.netns=" + PREFIX,
                "--option",
                "envoy.xdsPort=0");
        long wireguardGo;
        try (AgentRun agent = AgentRun.start(flags.toArray(String[]::new))) {
            awaitFirstApply(agent);
            assertThat(agent.out())
                    .contains("SOCKET_LB=ebpf")
                    .contains("L7_ROUTING=envoy")
                    .contains("NODE_ENCRYPTION=wireguard")
                    .contains("(ebpf+envoy+wireguard)");
            assertThat(run("ip", "-n", PREFIX, "link", "show", IFACE)).contains(IFACE);
            assertThat(wireguardGo(IFACE)).hasSize(1);
            wireguardGo = wireguardGo(IFACE).getFirst().pid();
            assertThat(key).isRegularFile();
            assertThat(pins.resolve("links")).isNotEmptyDirectory();

            // Each part of the composed dataplane reports its own health, read from what it runs.
            OperatorCommandsTest.Output status =
                    OperatorCommandsTest.status("--agent", "127.0.0.1:" + agent.agent.port(), "-o", "json");
            var parsed = io.nodemesh.agent.http.StatusJson.read(status.out());
            assertThat(parsed.backends())
                    .extracting(io.nodemesh.agent.http.AgentStatus.BackendState::backend)
                    .containsExactlyInAnyOrder("ebpf", "envoy", "wireguard");
            assertThat(parsed.backends())
                    .filteredOn(b -> b.backend().equals("ebpf"))
                    .singleElement()
                    .satisfies(b -> assertThat(b.tables())
                            .filteredOn(t -> t.name().equals("nm_services"))
                            .singleElement()
                            .satisfies(t -> assertThat(t.entries()).isPositive()));
            assertThat(status.exit()).as(status.out()).isZero();

            assertThat(agent.stop()).isZero();
            assertThat(agent.out())
                    .contains("ebpf: still running")
                    .contains("wireguard: still running")
                    .contains("envoy: stopped");
        }
        // Both node-level dataplanes outlive the agent: the kernel's programs and the WireGuard device.
        assertThat(pins.resolve("links")).isNotEmptyDirectory();
        assertThat(wireguardGo(IFACE)).extracting(ProcessHandle::pid).containsExactly(wireguardGo);
        assertThat(run("ip", "-n", PREFIX, "-o", "link", "show")).contains(IFACE);

        // The next agent adopts them; stopped with --uninstall it removes everything.
        List<String> uninstalling = new java.util.ArrayList<>(flags);
        uninstalling.add("--uninstall");
        try (AgentRun agent = AgentRun.start(uninstalling.toArray(String[]::new))) {
            awaitFirstApply(agent);
            assertThat(wireguardGo(IFACE)).extracting(ProcessHandle::pid).containsExactly(wireguardGo);
            assertThat(agent.stop()).isZero();
            assertThat(agent.out()).contains("ebpf: uninstalled").contains("wireguard on node node-a");
        }
        assertThat(wireguardGo(IFACE)).isEmpty();
        assertThat(run("ip", "-n", PREFIX, "-o", "link", "show")).doesNotContain(IFACE);
        assertThat(pins).doesNotExist();
    }

    private static void awaitFirstApply(AgentRun agent) {
        agent.await(
                "the first apply",
                // the banner comes after the first apply's lines: wait for it, or the checks below race the agent
                () -> (agent.out().contains("applied mesh.yaml (generation 1)")
                                && agent.out().contains("nodemesh agent on node"))
                        || agent.exitCode() >= 0);
        assertThat(agent.out()).as("errors: %s", agent.err()).contains("applied mesh.yaml (generation 1)");
    }
}
