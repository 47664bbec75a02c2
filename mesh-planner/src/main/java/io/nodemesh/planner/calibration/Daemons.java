package io.nodemesh.planner.calibration;

import io.nodemesh.netlab.ChildProcess;
import io.nodemesh.netlab.CommandException;
import io.nodemesh.netlab.Netns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The long-running processes of a calibration (sockperf servers, HAProxy instances), each started pinned inside a
 * namespace and all stopped by {@link #close()} — also when a measurement failed half way.
 */
final class Daemons implements AutoCloseable {
    private final List<ChildProcess> processes = new ArrayList<>();
    private final Path workDir;
    private final int cpu;

    Daemons(Path workDir, int cpu) {
        this.workDir = workDir;
        this.cpu = cpu;
    }

    /** A sockperf TCP server on {@code ip:port} inside {@code netns}. */
    void sockperfServer(String netns, String ip, int port) {
        sockperfServer(netns, null, ip, port);
    }

    /** The same with the server (and so its listener and accepted sockets) inside {@code cgroup}; null: none. */
    void sockperfServer(String netns, Path cgroup, String ip, int port) {
        start(
                netns,
                cgroup,
                "sockperf-" + port,
                port,
                "sockperf",
                "server",
                "--tcp",
                "-i",
                ip,
                "-p",
                Integer.toString(port));
    }

    /** An HAProxy in TCP mode relaying {@code listenIp:listenPort} to {@code target}, one thread, in {@code netns}. */
    void haproxy(String netns, String name, String listenIp, int listenPort, String targetIp, int targetPort) {
        String cfg = """
                global
                    nbthread 1
                    maxconn 256
                defaults
                    mode tcp
                    timeout connect 5s
                    timeout client 120s
                    timeout server 120s
                frontend in
                    bind %s:%d
                    default_backend out
                backend out
                    server target %s:%d
                """.formatted(listenIp, listenPort, targetIp, targetPort);
        Path file = workDir.resolve(name + ".cfg");
        try {
            Files.writeString(file, cfg);
        } catch (IOException e) {
            throw new CalibrationException("cannot write HAProxy config " + file + ": " + e.getMessage(), e);
        }
        // -db: stay in the foreground, so the child we hold is HAProxy itself and stopping it stops HAProxy.
        start(netns, null, name, listenPort, "haproxy", "-db", "-f", file.toString());
    }

    private void start(String netns, Path cgroup, String name, int port, String... args) {
        List<String> cmd = InCgroup.wrap(cgroup, Netns.named(netns).wrap(Pinning.onCpu(cpu, args)));
        ChildProcess p;
        try {
            p = ChildProcess.start(
                    name,
                    new ProcessBuilder(cmd)
                            .redirectErrorStream(true)
                            .redirectOutput(workDir.resolve(name + ".log").toFile()));
        } catch (CommandException e) {
            throw new CalibrationException(e.getMessage(), e);
        }
        processes.add(p);
        waitListening(netns, port, p, name);
    }

    /** Polls {@code ss} in the namespace until the port listens (or the process died, with its log in the error). */
    private void waitListening(String netns, int port, ChildProcess p, String name) {
        for (int i = 0; i < 100; i++) {
            var ss = Netns.named(netns).exec(Duration.ofSeconds(5), null, List.of("ss", "-Hltn", "sport = :" + port));
            if (ss.ok() && !ss.stdout().isBlank()) return;
            if (!p.isAlive()) break;
            sleep(50);
        }
        String log;
        try {
            log = Files.readString(workDir.resolve(name + ".log")).strip();
        } catch (IOException e) {
            log = "(no log)";
        }
        throw new CalibrationException(name + " in " + netns + " is not listening on port " + port + ": " + log);
    }

    /** Pids of the processes started and still running (for leak checks). */
    List<Long> livePids() {
        return processes.stream()
                .filter(ChildProcess::isAlive)
                .map(ChildProcess::pid)
                .toList();
    }

    @Override
    public void close() {
        for (ChildProcess p : processes.reversed()) p.stop(Duration.ofSeconds(3));
        processes.clear();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CalibrationException("interrupted", e);
        }
    }
}
