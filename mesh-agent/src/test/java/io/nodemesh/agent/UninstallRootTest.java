package io.nodemesh.agent;

import static io.nodemesh.agent.NodeLeftovers.removeTree;
import static io.nodemesh.agent.NodeLeftovers.removeWireguard;
import static io.nodemesh.agent.NodeLeftovers.requireNode;
import static io.nodemesh.agent.NodeLeftovers.run;
import static io.nodemesh.agent.NodeLeftovers.sweepStale;
import static io.nodemesh.agent.NodeLeftovers.wireguardGo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodemesh.contract.Privileges;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code nodemesh uninstall} on a real node: eBPF on a pin directory and cgroup of its own, wireguard-go in a network
 * namespace of its own with the strict-mode table (all named {@code nmu<pid>}). On a clean node it has nothing to
 * remove; while an agent runs it refuses; after the agent stopped (leaving everything serving) it removes it all.
 */
class UninstallRootTest {
    static final String PREFIX = "nmu" + ProcessHandle.current().pid();
    static final String IFACE = PREFIX + "w";
    static final Path BPFFS = NodeLeftovers.BPFFS;
    static final String STRICT = AgentCommandFileSourceTest.ONE_SERVICE + """
            encryption: {mode: wireguard, enforcement: strict}
            """;

    @TempDir
    Path dir;

    Path pins;
    Path cgroup;
    boolean netns;

    @BeforeEach
    void requirements() throws Exception {
        requireNode(List.of("ebpf", "wireguard"));
        Privileges.requireBinary("nft", "nftables");
        sweepStale("nmu");
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
        for (Path lock : InstallationLocks.files(
                List.of("ebpf", "wireguard"),
                new io.nodemesh.api.DataplaneOptions(
                        "node-a",
                        java.util.Map.of(
                                "ebpf.pinRoot",
                                BPFFS.resolve(PREFIX).toString(),
                                "wireguard.interface",
                                IFACE,
                                "wireguard.netns",
                                PREFIX)))) Files.deleteIfExists(lock);
        if (pins != null) removeTree(pins);
        if (cgroup != null) Files.deleteIfExists(cgroup);
    }

    record Output(int exit, String out, String err) {}

    Output uninstall(String... extra) {
        List<String> args = new ArrayList<>(List.of(
                "--node",
                "node-a",
                "--pin-path",
                pins.toString(),
                "--cgroup-root",
                cgroup.toString(),
                "--wireguard-interface",
                IFACE,
                "--wireguard-key-file",
                dir.resolve("wg").resolve(IFACE + ".key").toString(),
                "--option",
                "wireguard.netns=" + PREFIX));
        args.addAll(List.of(extra));
        UninstallCommand command = new UninstallCommand();
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        command.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        command.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit = new CommandLine(command).execute(args.toArray(String[]::new));
        return new Output(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void removesWhatAStoppedAgentLeftAndNothingOnACleanNode() throws Exception {
        Output clean = uninstall();
        assertThat(clean.exit()).as(clean.err()).isZero();
        assertThat(clean.out()).isEqualTo("nothing to remove on node node-a\n");

        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, STRICT);
        Path key = dir.resolve("wg").resolve(IFACE + ".key");
        try (AgentRun agent = AgentRun.start(
                "--state",
                state.toString(),
                "--node",
                "node-a",
                "--backend",
                "ebpf,wireguard",
                "--listen",
                "127.0.0.1:0",
                "--quiet-flows",
                "--pin-path",
                pins.toString(),
                "--cgroup-root",
                cgroup.toString(),
                "--wireguard-interface",
                IFACE,
                "--wireguard-port",
                "51998",
                "--wireguard-key-file",
                key.toString(),
                "--option",
                "wireguard.netns=" + PREFIX)) {
            agent.await(
                    "the first apply",
                    () -> agent.out().contains("applied mesh.yaml (generation 1)") || agent.exitCode() >= 0);
            assertThat(agent.out()).as("errors: %s", agent.err()).contains("applied mesh.yaml (generation 1)");

            Output refused = uninstall();
            assertThat(refused.exit()).isEqualTo(1);
            assertThat(refused.err())
                    .startsWith("an agent is running on this node")
                    .hasLineCount(1);
            assertThat(wireguardGo(IFACE)).hasSize(1); // untouched

            assertThat(agent.stop()).isZero();
        }
        // What outlives the agent on purpose.
        assertThat(pins.resolve("links")).isNotEmptyDirectory();
        assertThat(wireguardGo(IFACE)).hasSize(1);
        assertThat(run("ip", "-n", PREFIX, "-o", "link", "show")).contains(IFACE);
        assertThat(run("ip", "netns", "exec", PREFIX, "nft", "list", "tables")).contains("inet");

        Output removed = uninstall("--output", "json");
        assertThat(removed.exit()).as(removed.err()).isZero();
        JsonNode json = new ObjectMapper().readTree(removed.out());
        assertThat(json.at("/removed/ebpf").toString()).contains(pins.toString());
        // wireguard-go takes its interface (and the routes) with it when it is stopped; checked below.
        assertThat(json.at("/removed/wireguard").toString())
                .contains("wireguard-go process")
                .contains("nft table inet");
        assertThat(json.at("/kept/wireguard").toString()).contains(key.toString()); // not at its default place

        assertThat(wireguardGo(IFACE)).isEmpty();
        assertThat(run("ip", "-n", PREFIX, "-o", "link", "show")).doesNotContain(IFACE);
        assertThat(pins).doesNotExist();
        assertThat(run("ip", "netns", "exec", PREFIX, "nft", "list", "tables")).doesNotContain("inet");

        assertThat(InstallationLocks.files(
                        List.of("ebpf", "wireguard"),
                        new io.nodemesh.api.DataplaneOptions(
                                "node-a",
                                java.util.Map.of(
                                        "ebpf.pinRoot",
                                        pins.toString(),
                                        "wireguard.interface",
                                        IFACE,
                                        "wireguard.netns",
                                        PREFIX))))
                .allSatisfy(lock -> assertThat(lock).doesNotExist());

        Output again = uninstall();
        assertThat(again.exit()).isZero();
        assertThat(again.out())
                .startsWith("nothing to remove on node node-a\n")
                .doesNotContain("removed"); // the key file is still reported as kept
    }
}
