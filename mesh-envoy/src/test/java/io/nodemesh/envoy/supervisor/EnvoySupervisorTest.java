package io.nodemesh.envoy.supervisor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The supervisor's logic against a fake envoy (a shell script that is a real child process): readiness, restart after a
 * crash with growing backoff, hot-restart epochs, and cleanup. Delays are recorded, not slept.
 */
class EnvoySupervisorTest {
    @TempDir
    Path dir;

    private Path script;
    private final List<Duration> slept = new CopyOnWriteArrayList<>();
    private EnvoySupervisor supervisor;

    @BeforeEach
    void fakeEnvoy() throws IOException {
        script = dir.resolve("fake-envoy.sh");
        try (InputStream in = getClass().getResourceAsStream("/supervisor/fake-envoy.sh")) {
            Files.write(script, in.readAllBytes());
        }
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        Files.writeString(dir.resolve("bootstrap.json"), "{}");
    }

    @AfterEach
    void stop() {
        if (supervisor != null) supervisor.close();
    }

    private EnvoySupervisor supervisor(Duration readyTimeout) {
        var config = new SupervisorConfig(
                script,
                dir.resolve("bootstrap.json"),
                7,
                Duration.ofSeconds(2),
                Duration.ofSeconds(3),
                readyTimeout,
                Duration.ofMillis(100),
                Duration.ofMillis(400),
                Duration.ofHours(1),
                List.of("--concurrency", "1"));
        supervisor = new EnvoySupervisor(
                config,
                Seams.Launcher.processes(),
                epoch -> Files.exists(dir.resolve("ready-" + epoch)),
                d -> slept.add(d));
        return supervisor;
    }

    private long starts(int epoch) throws IOException {
        Path f = dir.resolve("started-" + epoch);
        return Files.exists(f) ? Files.readAllLines(f).size() : 0;
    }

    @Test
    void startsAndWaitsForReadiness() throws Exception {
        supervisor(Duration.ofSeconds(30)).start();
        assertThat(supervisor.events()).hasSize(2);
        assertThat(supervisor.events().get(0)).isInstanceOf(SupervisorEvent.Started.class);
        assertThat(supervisor.events().get(1))
                .isEqualTo(new SupervisorEvent.Ready(
                        0, ((SupervisorEvent.Started) supervisor.events().get(0)).pid()));
        assertThat(starts(0)).isEqualTo(1);
    }

    @Test
    void restartsAfterCrashesWithDoublingBackoffCappedAtTheMaximum() throws Exception {
        supervisor(Duration.ofSeconds(30)).start();
        for (int crash = 1; crash <= 4; crash++) {
            long before = starts(0);
            Files.createFile(dir.resolve("crash"));
            long want = before + 1;
            int readies = crash + 1;
            // Crash the next process only once the supervisor itself has seen it ready, not merely once the ready file
            // exists: under load its readiness poll can lag, and a process that dies before the supervisor saw it ready
            // is (rightly) a failed start, which would add a backoff step and take away a Ready.
            waitFor(() -> starts(0) == want && readyEvents() == readies);
        }
        assertThat(readyEvents()).isEqualTo(5);
        assertThat(slept)
                .containsExactly(
                        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(400));
        assertThat(supervisor.events())
                .filteredOn(e -> e instanceof SupervisorEvent.Exited)
                .allSatisfy(
                        e -> assertThat(((SupervisorEvent.Exited) e).exitCode()).isEqualTo(3));
        assertThat(supervisor.epoch())
                .as("after a crash there is no parent: epoch 0 again")
                .isZero();
    }

    @Test
    void hotRestartStartsTheNextEpochAndTheOldOneLeaves() throws Exception {
        supervisor(Duration.ofSeconds(30)).start();
        supervisor.hotRestart();
        assertThat(supervisor.epoch()).isEqualTo(1);
        assertThat(supervisor.events()).contains(new SupervisorEvent.HotRestarted(0, 1));
        waitFor(() -> !Files.exists(dir.resolve("ready-0"))); // the parent drained and exited
        supervisor.hotRestart();
        assertThat(supervisor.epoch()).isEqualTo(2);
        assertThat(slept).as("a hot restart is not a crash").isEmpty();
        assertThat(supervisor.events()).noneMatch(e -> e instanceof SupervisorEvent.RestartScheduled);
    }

    @Test
    void aProcessThatNeverBecomesReadyFailsStartAndIsStopped() throws Exception {
        Files.createFile(dir.resolve("never-ready"));
        assertThatThrownBy(() -> supervisor(Duration.ofMillis(500)).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("not ready");
        var started = (SupervisorEvent.Started) supervisor.events().getFirst();
        assertThat(ProcessHandle.of(started.pid()).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
    }

    @Test
    void aProcessThatExitsAtOnceReportsItsExitCode() throws Exception {
        Files.createFile(dir.resolve("exit-at-start"));
        assertThatThrownBy(() -> supervisor(Duration.ofSeconds(30)).start())
                .isInstanceOf(IOException.class)
                .hasMessageContaining("exited with 7");
    }

    @Test
    void backoffDoublesUpToTheCap() {
        var s = supervisor(Duration.ofSeconds(1));
        assertThat(List.of(s.backoff(1), s.backoff(2), s.backoff(3), s.backoff(10)))
                .containsExactly(
                        Duration.ofMillis(100), Duration.ofMillis(200), Duration.ofMillis(400), Duration.ofMillis(400));
    }

    @Test
    void commandLineCarriesEpochBaseIdAndDrainTimes() {
        var config = SupervisorConfig.defaults(Path.of("/usr/bin/envoy"), Path.of("/etc/envoy.json"));
        assertThat(config.command(3))
                .containsExactly(
                        "/usr/bin/envoy",
                        "-c",
                        "/etc/envoy.json",
                        "--restart-epoch",
                        "3",
                        "--base-id",
                        "0",
                        "--drain-time-s",
                        "30",
                        "--parent-shutdown-time-s",
                        "45");
    }

    private long readyEvents() {
        return supervisor.events().stream()
                .filter(e -> e instanceof SupervisorEvent.Ready)
                .count();
    }

    private interface Check {
        boolean ok() throws Exception;
    }

    private static void waitFor(Check c) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!c.ok()) {
            if (System.nanoTime() > deadline) throw new AssertionError("never happened");
            Thread.sleep(20);
        }
    }
}
