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
 *   io.nodemesh.agent.RestartToReadyHarness [services, default 10000] [restarts, default 3] [backends, default 10]
 * </pre>
 * Each row also gives the time above the floor and the time as a multiple of it. The agent keeps its state-file
 * snapshots ({@code --state-cache}) unless {@code -Dharness.noStateCache=true}; {@code -Dharness.aot=true} makes the
 * cold start an AOT training run ({@code --exit-when-ready} with {@code -XX:AOTCacheOutput}) and starts every later
 * JVM, the floor's too, with that cache; {@code -Dharness.jvm="..."} adds JVM options to both (a
 * {@code -XX:StartFlightRecording=...} only to the agent). The JVM's AOT cache takes jars only: put the two class
 * directories into jars first ({@code jar cf classes.jar -C mesh-agent/target/classes .}, the same for test-classes)
 * and name those in {@code -cp}.
 * <p>
 * Measured on this 2-core shared VM (10,000 services × 10 backends, no AOT), SIGKILL restarts: before pinned adoption
 * and the state digest 8360, 8084 ms (floor 623, 1020 ms; 13.4x, 7.9x); after 5882, 5203, 4776 ms (floor 783, 1025,
 * 683 ms; 7.5x, 5.1x, 7.0x). The eBPF part of a restart went from load 0.44–0.49 s + iterators 0.15 s + plan
 * 0.69–1.65 s + diff 0.22–0.89 s to adoption 0.06–0.14 s + state digest 0.19–0.63 s; the read-back (0.85–1.5 s)
 * runs while the state file is parsed. The 1 s goal is not met: the JVM start and the state file's parse dominate.
 */
public final class RestartToReadyHarness {
    /** {@code -Dharness.aot=true}: train an AOT cache with the cold start, and start every later JVM with it. */
    private static final boolean AOT = Boolean.getBoolean("harness.aot");

    /**
     * {@code -Dharness.settleMillis=N} (default 3000): how long each agent serves before it is killed. The eBPF
     * applied-state record is written off the apply path, a moment after ready (longer on a cold JVM); an agent killed
     * before it lands restarts as from a lagging record (every entry rewritten). 0 measures that case.
     */
    private static final long SETTLE_MILLIS = Long.getLong("harness.settleMillis", 3000);

    private RestartToReadyHarness() {}

    public static void main(String[] args) throws Exception {
        int services = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        int restarts = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        int backends = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Path dir = Files.createTempDirectory("nmk-harness");
        Path original = io.nodemesh.netlab.Cgroups.current(KillLab.CGROUP2);
        List<String> rows = new ArrayList<>();
        AgentProcess agent = null;
        try (KillLab lab = KillLab.create()) {
            String keyA =
                    PrivateKeyFile.loadOrCreate(lab.keyFile('a')).publicKey().base64();
            String keyB =
                    PrivateKeyFile.loadOrCreate(lab.keyFile('b')).publicKey().base64();
            Path state = dir.resolve("mesh.yaml");
            Files.writeString(state, KillLabState.yaml(lab, keyA, keyB, services - 2, backends));

            int port = AgentProcess.freePort();
            List<String> flags = new ArrayList<>(lab.agentFlags(state, "127.0.0.1:" + port));
            flags.add("--quiet-flows");
            if (!Boolean.getBoolean("harness.noStateCache"))
                flags.addAll(List.of("--state-cache", dir.resolve("state-cache").toString()));
            Path log = dir.resolve("agent.log");
            rows.add(String.format(
                    "  %-22s %12s %12s %12s %14s %10s",
                    "", "to /readyz", "agent CPU", "JVM floor", "above floor", "÷ floor"));
            List<String> jvm = jvmOptions();
            Duration floor = bareJvm(jvm);
            if (AOT) {
                // The training run: a cold start that stops once ready, so its JVM writes the cache on exit.
                List<String> training = new ArrayList<>(flags);
                training.add("--exit-when-ready");
                List<String> trainingJvm = new ArrayList<>(jvm);
                trainingJvm.add("-XX:AOTCacheOutput=" + aotCache(dir));
                long started = System.nanoTime();
                agent = AgentProcess.start(trainingJvm, training, port, original, log);
                int exit = agent.awaitExit(); // it stops the moment it is ready: timed to its exit, cache written
                rows.add(row(
                        "AOT training, to exit",
                        Duration.ofNanos(System.nanoTime() - started),
                        agent.cpuTime(),
                        floor));
                if (exit != 0 || !Files.exists(aotCache(dir)))
                    throw new AssertionError(
                            "the training run wrote no AOT cache (exit " + exit + "):\n" + agent.log());
                jvm.add("-XX:AOTCache=" + aotCache(dir));
                floor = bareJvm(jvm);
                agent = AgentProcess.start(jvm, flags, port, original, log);
                rows.add(row("restart after training", agent.awaitReady(), agent.cpuTime(), floor));
            } else {
                agent = AgentProcess.start(jvm, flags, port, original, log);
                rows.add(row("cold start", agent.awaitReady(), agent.cpuTime(), floor));
            }
            for (int i = 1; i <= restarts; i++) {
                Thread.sleep(SETTLE_MILLIS);
                agent.kill();
                floor = bareJvm(jvm); // measured next to each start: the machine's load moves
                agent = AgentProcess.start(jvm, flags, port, original, log);
                rows.add(row("SIGKILL restart " + i, agent.awaitReady(), agent.cpuTime(), floor));
            }
            agent.kill();
            System.out.printf(
                    "restart-to-ready, %d services × %d backends (ebpf,wireguard strict), agent log:%n",
                    services, backends);
            System.out.println(agent.log()
                    .lines()
                    .filter(l -> !l.contains(" t/filler-"))
                    .map(l -> "  " + l)
                    .reduce("", (a, b) -> a + b + "\n"));
            rows.forEach(System.out::println);
        } finally {
            if (agent != null) agent.close();
            NodeLeftovers.removeTree(dir);
        }
    }

    private static String row(String what, Duration ready, Duration cpu, Duration floor) {
        return String.format(
                "  %-22s %9d ms %9d ms %9d ms %11d ms %9.1fx",
                what,
                ready.toMillis(),
                cpu.toMillis(),
                floor.toMillis(),
                ready.minus(floor).toMillis(),
                (double) ready.toNanos() / Math.max(1, floor.toNanos()));
    }

    /** The agent's JVM options from {@code -Dharness.jvm="..."} (space-separated), the floor's too. */
    private static List<String> jvmOptions() {
        String given = System.getProperty("harness.jvm", "").strip();
        return given.isEmpty() ? new ArrayList<>() : new ArrayList<>(List.of(given.split("\\s+")));
    }

    private static Path aotCache(Path dir) {
        return dir.resolve("agent.aot");
    }

    /** The bare JVM start with the same JVM options as the agent (its AOT cache included): what no agent can beat. */
    private static Duration bareJvm(List<String> jvm) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvm.stream()
                .filter(o -> !o.startsWith("-XX:StartFlightRecording"))
                .toList());
        cmd.addAll(List.of("-cp", AgentProcess.classPath(), AgentMain.class.getName(), "--help"));
        long start = System.nanoTime();
        Process p = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) p.destroyForcibly();
        return Duration.ofNanos(System.nanoTime() - start);
    }
}
