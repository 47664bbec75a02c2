package io.nodemesh.agent;

import io.nodemesh.wireguard.PrivateKeyFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Restart-to-ready of node A's agent ({@code --backend ebpf,wireguard}, strict) with a 10,000-service state, the eBPF
 * backend's capacity: a cold start, then SIGKILL and a start again, several times, each from exec to {@code /readyz}
 * 200, with the CPU time the agent used until then, and next to each the bare JVM start ({@code AgentMain --help},
 * exec to exit) as the floor under the figure. A benchmark that prints a table, not a test; it needs root and builds
 * and removes a {@link KillLab}. Run from the repository root:
 * <pre>
 * mvn -o -q -pl mesh-agent test-compile dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * sudo $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *   -cp mesh-agent/target/test-classes:mesh-agent/target/classes:$(cat mesh-agent/target/cp.txt) \
 *   io.nodemesh.agent.RestartToReadyHarness [services, default 10000] [restarts, default 3]
 * </pre>
 */
public final class RestartToReadyHarness {
    private RestartToReadyHarness() {}

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int restarts = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path dir = Files.createTempDirectory("nmk-harness");
        Path original = AgentKillRootTest.currentCgroup();
        List<String> rows = new ArrayList<>();
        AgentProcess agent = null;
        try (KillLab lab = KillLab.create()) {
            String keyA =
                    PrivateKeyFile.loadOrCreate(lab.keyFile('a')).publicKey().base64();
            String keyB =
                    PrivateKeyFile.loadOrCreate(lab.keyFile('b')).publicKey().base64();
            Path state = dir.resolve("mesh.yaml");
            Files.writeString(state, KillLabState.yaml(lab, keyA, keyB, services - 2));

            int port = AgentProcess.freePort();
            List<String> flags = new ArrayList<>(lab.agentFlags(state, "127.0.0.1:" + port));
            flags.add("--quiet-flows");
            Path log = dir.resolve("agent.log");
            rows.add(String.format("  %-22s %12s %12s %14s", "", "to /readyz", "agent CPU", "JVM floor"));
            Duration floor = bareJvm();
            agent = AgentProcess.start(flags, port, original, log);
            rows.add(row("cold start", agent.awaitReady(), agent.cpuTime(), floor));
            for (int i = 1; i <= restarts; i++) {
                agent.kill();
                floor = bareJvm(); // measured next to each start: the machine's load moves
                agent = AgentProcess.start(flags, port, original, log);
                rows.add(row("SIGKILL restart " + i, agent.awaitReady(), agent.cpuTime(), floor));
            }
            agent.kill();
            System.out.printf("restart-to-ready, %d services (ebpf,wireguard strict), agent log:%n", services);
            System.out.println(agent.log()
                    .lines()
                    .filter(l -> !l.contains(" t/filler-"))
                    .map(l -> "  " + l)
                    .reduce("", (a, b) -> a + b + "\n"));
            rows.forEach(System.out::println);
        } finally {
            if (agent != null) agent.close();
            KillLab.removeTree(dir);
        }
    }

    private static String row(String what, Duration ready, Duration cpu, Duration floor) {
        return String.format("  %-22s %9d ms %9d ms %11d ms", what, ready.toMillis(), cpu.toMillis(), floor.toMillis());
    }

    private static Duration bareJvm() throws Exception {
        long start = System.nanoTime();
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        AgentProcess.classPath(),
                        AgentMain.class.getName(),
                        "--help")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
