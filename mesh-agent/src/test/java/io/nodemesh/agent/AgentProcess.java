package io.nodemesh.agent;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The agent as the image runs it: a JVM of its own running {@link AgentMain}, so that it can be killed with SIGKILL
 * (no close, no shutdown hook). It starts in {@code cgroup} (the shell that execs it moves itself there first), so it
 * never lands in the cgroup the eBPF programs watch even when the test JVM is in it. Its output goes to a log file,
 * each line stamped with the time since exec.
 */
final class AgentProcess implements AutoCloseable {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final Process process;
    private final Path log;
    private final int port;
    private final long startedNanos;

    private AgentProcess(Process process, Path log, int port, long startedNanos) {
        this.process = process;
        this.log = log;
        this.port = port;
        this.startedNanos = startedNanos;
    }

    /** A free loopback port for {@code --listen} (the agent binds it a moment later; nobody else here takes it). */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Starts {@code java … AgentMain flags} with {@code --listen 127.0.0.1:port} among the flags. */
    static AgentProcess start(List<String> flags, int port, Path cgroup, Path log) throws IOException {
        return start(List.of(), flags, port, cgroup, log);
    }

    /** Like {@link #start(List, int, Path, Path)} with options for the agent's JVM (an AOT cache, say). */
    static AgentProcess start(List<String> jvmOptions, List<String> flags, int port, Path cgroup, Path log)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(
                "sh",
                "-c",
                "echo $$ > \"$0\" && exec \"$@\"",
                cgroup.resolve("cgroup.procs").toString()));
        cmd.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED"));
        cmd.addAll(jvmOptions);
        cmd.addAll(List.of("-cp", classPath(), AgentMain.class.getName()));
        cmd.addAll(flags);
        long started = System.nanoTime();
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Thread.ofPlatform().daemon().name("agent-log-" + p.pid()).start(() -> stamp(p, log, started));
        return new AgentProcess(p, log, port, started);
    }

    /** Copies the agent's output into the log, each line stamped with the time since exec: where a start goes. */
    private static void stamp(Process p, Path log, long started) {
        try (var in = new java.io.BufferedReader(
                        new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                var out = Files.newBufferedWriter(
                        log,
                        StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND)) {
            out.write("--- agent pid " + p.pid() + "\n");
            for (String line; (line = in.readLine()) != null; ) {
                out.write(String.format("+%6d ms  %s%n", (System.nanoTime() - started) / 1_000_000, line));
                out.flush();
            }
        } catch (IOException e) {
            // the agent is gone, or the log with the test's temp dir
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /**
     * Waits until {@code /readyz} answers 200 and returns the time from exec to that answer. The bound only ends a
     * failing test (nothing is timed against it); an agent that exits first fails at once with its log.
     */
    Duration awaitReady() throws InterruptedException {
        HttpRequest ready = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/readyz"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive())
                throw new AssertionError("the agent exited (" + process.exitValue() + ") before ready:\n" + log());
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200)
                    return Duration.ofNanos(System.nanoTime() - startedNanos);
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the agent was not ready within 120 s:\n" + log());
    }

    /**
     * CPU time the agent JVM has used so far (its own threads, not the commands it ran): on a shared, loaded machine a
     * steadier figure than the wall-clock time to ready.
     */
    Duration cpuTime() {
        return process.info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Waits for the agent to exit by itself (a training run) and returns its exit code. */
    int awaitExit() throws InterruptedException {
        if (!process.waitFor(300, TimeUnit.SECONDS)) throw new AssertionError("the agent did not exit:\n" + log());
        return process.exitValue();
    }

    /** SIGKILL, and waits until it is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) kill();
    }

    /** This JVM's module path and class path as one class path: the agent's jars, its backends and their deps. */
    static String classPath() {
        Set<String> entries = new LinkedHashSet<>();
        for (String prop : List.of("jdk.module.path", "java.class.path")) {
            for (String e : System.getProperty(prop, "").split(File.pathSeparator)) if (!e.isBlank()) entries.add(e);
        }
        return String.join(File.pathSeparator, entries);
    }
}
