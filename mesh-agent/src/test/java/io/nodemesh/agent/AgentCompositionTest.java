package io.nodemesh.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code nodemesh agent --backend a,b,…}: names are checked, options assembled and backends opened before anything
 * runs, and each way of failing is a plain message with its exit code (2: the command line is wrong, 1: this machine
 * cannot run it) — never a stack trace. What composes without root (sim, envoy) is run for real.
 */
class AgentCompositionTest {
    @TempDir
    Path dir;

    Path stateFile() throws Exception {
        Path state = dir.resolve("mesh.yaml");
        Files.writeString(state, AgentCommandFileSourceTest.ONE_SERVICE);
        return state;
    }

    @Test
    void anUnknownBackendIsExitCode2WithTheKnownOnesListed() throws Exception {
        AgentRun run = AgentRun.refused(
                "--state", stateFile().toString(), "--backend", "ebpf,carrier-pigeon", "--node", "node-a");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("no dataplane backend named 'carrier-pigeon'")
                .contains("known: ")
                .contains("sim")
                .doesNotContain("Exception")
                .doesNotContain("\tat ");
    }

    @Test
    void inconsistentOptionsAreExitCode2NamingTheOptions() throws Exception {
        AgentRun run = AgentRun.refused(
                "--state",
                stateFile().toString(),
                "--backend",
                "ebpf,envoy",
                "--node",
                "node-a",
                "--proxy-address",
                "10.0.0.1",
                "--option",
                "ebpf.proxyPort=15002",
                "--option",
                "envoy.outboundPort=15001");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err())
                .contains("ebpf.proxyPort=15002")
                .contains("envoy.outboundPort=15001")
                .doesNotContain("\tat ");
        AgentRun sim =
                AgentRun.refused("--state", stateFile().toString(), "--backend", "sim,envoy", "--node", "node-a");
        assertThat(sim.exitCode()).isEqualTo(2);
        assertThat(sim.err()).contains("use --backend sim alone");
    }

    @Test
    void aBackendThatCannotRunHereIsExitCode1WithItsReason() throws Exception {
        // Not a cgroup-v2 directory: as root or not, the eBPF backend refuses before it loads or pins anything.
        Path notACgroup = Files.createDirectory(dir.resolve("not-a-cgroup"));
        AgentRun run = AgentRun.refused(
                "--state",
                stateFile().toString(),
                "--backend",
                "ebpf",
                "--node",
                "node-a",
                "--cgroup-root",
                notACgroup.toString(),
                "--pin-path",
                "/sys/fs/bpf/nm-never-" + ProcessHandle.current().pid());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err())
                .contains("cannot open the dataplane ebpf")
                .contains("unavailable")
                .doesNotContain("\tat ");
        assertThat(Path.of("/sys/fs/bpf/nm-never-" + ProcessHandle.current().pid()))
                .doesNotExist();
    }

    @Test
    void envoyRunsAsTheAgentsBackendAndStopsCleanly() throws Exception {
        try (AgentRun run = AgentRun.start(
                "--state",
                stateFile().toString(),
                "--backend",
                "envoy",
                "--node",
                "node-a",
                "--listen",
                "127.0.0.1:0",
                "--quiet-flows",
                "--proxy-port",
                "15099")) {
            run.await("the first apply", () -> run.out().contains("applied mesh.yaml (generation 1)"));
            assertThat(run.out())
                    .contains("capabilities: ")
                    .contains("L7_ROUTING=envoy")
                    .contains("(envoy)");
            assertThat(run.stop()).isZero();
            assertThat(run.out()).contains("envoy: stopped").contains("a running Envoy keeps its last configuration");
        }
    }

    @Test
    void theUninstallOptionEmptiesTheBackendsItCannotDetach() throws Exception {
        try (AgentRun run = AgentRun.start(
                "--state",
                stateFile().toString(),
                "--backend",
                "sim",
                "--node",
                "node-a",
                "--listen",
                "127.0.0.1:0",
                "--quiet-flows",
                "--uninstall")) {
            run.await("the first apply", () -> run.out().contains("applied mesh.yaml (generation 1)"));
            assertThat(run.stop()).isZero();
            assertThat(run.out())
                    .contains("sim: uninstalled: the empty state was applied")
                    .endsWith("stopped and uninstalled\n");
        }
    }
}
