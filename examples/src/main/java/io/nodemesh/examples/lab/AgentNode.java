package io.nodemesh.examples.lab;

import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.NetnsThread;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One node's agent: {@code AgentMain --backend ebpf,envoy,wireguard} in a JVM of its own, inside the node's namespace
 * (its /readyz, /status and xDS are on the node's loopback) but outside the cgroup its programs watch. It runs with
 * {@code --uninstall}, so a stop (SIGTERM) detaches its programs and removes wireguard-go before it exits.
 */
final class AgentNode implements AutoCloseable {
    private static final Pattern GENERATION = Pattern.compile("\"generation\"\\s*:\\s*(\\d+)");

    private final LabNode node;
    private final ChildProcess process;
    private final NetnsThread http;
    private final Path log;

    private AgentNode(LabNode node, ChildProcess process, NetnsThread http, Path log) {
        this.node = node;
        this.process = process;
        this.http = http;
        this.log = log;
    }

    /** Starts the agent of {@code node} on {@code stateFile}; the JVM starts in {@code outside} (a cgroup no program watches). */
    static AgentNode start(LabNode node, Path stateFile, Path outside, Path log) {
        List<String> argv = ChildJvm.inNodeAndCgroup(
                node.netnsPath(),
                outside,
                ChildJvm.java(
                        "io.nodemesh.agent.AgentMain",
                        List.of("-XX:TieredStopAtLevel=1"), // starts sooner; the agent is not on the data path
                        flags(node, stateFile)));
        ChildProcess p = ChildProcess.start(
                "agent of " + node.name(),
                new ProcessBuilder(argv)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())));
        try {
            return new AgentNode(node, p, new NetnsThread(Netns.named(node.netns())), log);
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    /** The agent's flags: every backend composed, this node's pins, cgroup, WireGuard device and strict mode. */
    static List<String> flags(LabNode node, Path stateFile) {
        List<String> f = new ArrayList<>(List.of(
                "--source",
                "file",
                "--state",
                stateFile.toString(),
                "--node",
                node.name(),
                "--backend",
                "ebpf,envoy,wireguard",
                "--listen",
                "127.0.0.1:" + LabNode.AGENT_PORT,
                "--pin-path",
                node.pins().toString(),
                "--cgroup-root",
                node.cgroup().toString(),
                "--proxy-address",
                node.gateway(),
                "--proxy-port",
                Integer.toString(LabNode.PROXY_PORT),
                "--proxy-cgroup",
                node.cgroup().resolve(EnvoyNode.CGROUP).toString(),
                "--wireguard-interface",
                node.wgInterface(),
                "--wireguard-port",
                Integer.toString(LabNode.WG_PORT),
                "--wireguard-key-file",
                node.keyFile().toString(),
                "--uninstall"));
        for (String option : List.of(
                "envoy.xdsPort=" + LabNode.XDS_PORT,
                "wireguard.netns=" + node.netns(),
                "wireguard.address=" + node.wgAddress(),
                "wireguard.strictCidrs=" + LabNode.ALL_PODS,
                "wireguard.keepalive=5")) {
            f.add("--option");
            f.add(option);
        }
        return f;
    }

    LabNode node() {
        return node;
    }

    /**
     * Waits until {@code /readyz} answers 200 and returns how long that took. The bound only ends a hung lab (nothing
     * is timed against it); an agent that exits first fails at once, with its log's tail.
     */
    Duration awaitReady(long started) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        String last = "no answer";
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new IllegalStateException("the agent of " + node.name() + " exited ("
                        + process.process().exitValue() + ") before ready:\n" + tail());
            HttpReply r = readyz();
            if (r != null && r.status() == 200) return Duration.ofNanos(System.nanoTime() - started);
            if (r != null) last = r.status() + " " + r.body().strip();
            // a refused state file stays refused until someone fixes it: waiting longer helps no one
            if (last.contains("NOT applied"))
                throw new IllegalStateException("the agent of " + node.name() + " refused the state: " + last);
            Thread.sleep(50);
        }
        throw new IllegalStateException(
                "the agent of " + node.name() + " was not ready within 180 s (" + last + "):\n" + tail());
    }

    /** The answer to {@code /readyz}, or null while nothing listens. */
    private HttpReply readyz() {
        try {
            return NodeHttp.get(http, LabNode.AGENT_PORT, "/readyz");
        } catch (IOException | RuntimeException e) {
            return null; // not listening yet
        }
    }

    /** {@code /status} as JSON text. */
    String status() throws IOException {
        return NodeHttp.get(http, LabNode.AGENT_PORT, "/status").body();
    }

    /** The generation of the last apply that changed the dataplane, from {@code /status}; empty before the first. */
    OptionalLong generation() throws IOException {
        Matcher m = GENERATION.matcher(status());
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }

    /** Waits until {@link #generation()} passes {@code before}: the agent applied the state file saved since. */
    void awaitGenerationAfter(long before) throws InterruptedException, IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (generation().orElse(-1) <= before) {
            if (System.nanoTime() > deadline)
                throw new IllegalStateException(
                        "the agent of " + node.name() + " did not apply the new state:\n" + tail());
            Thread.sleep(20);
        }
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private String tail() {
        List<String> lines = log().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
    }

    /** SIGTERM, so the agent uninstalls (programs detached, wireguard-go stopped); SIGKILL after 20 s. */
    @Override
    public void close() {
        http.close();
        process.stop(Duration.ofSeconds(20));
    }
}
