package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep on plain directories standing in for bpffs and cgroup2 (no root needed). */
class StaleKernelObjectsTest {
    @TempDir
    Path dir;

    @Test
    void removesOnlyObjectsOfDeadRunsWithThePrefix() throws Exception {
        Path bpffs = Files.createDirectories(dir.resolve("bpf"));
        Path cgroup2 = Files.createDirectories(dir.resolve("cgroup"));
        long dead = deadPid();
        assertThat(ProcessHandle.of(dead)).isEmpty();
        long live = ProcessHandle.current().pid();
        Files.createDirectories(bpffs.resolve("nmp" + dead).resolve("links"));
        Files.writeString(bpffs.resolve("nmp" + dead).resolve("links").resolve("nm_sockops"), "");
        Files.createDirectories(cgroup2.resolve("nmp" + dead));
        Files.createDirectories(bpffs.resolve("nmp" + live));
        Files.createDirectories(cgroup2.resolve("nmp" + live));
        Files.createDirectories(bpffs.resolve("nme" + dead)); // another tool's prefix
        Files.createDirectories(cgroup2.resolve("nmp" + dead + "-veth")); // not <prefix><pid>

        List<String> removed = StaleKernelObjects.sweep("nmp", bpffs, cgroup2);

        assertThat(removed)
                .containsExactlyInAnyOrder(
                        bpffs.resolve("nmp" + dead).toString(),
                        cgroup2.resolve("nmp" + dead).toString());
        assertThat(bpffs.resolve("nmp" + dead)).doesNotExist();
        assertThat(cgroup2.resolve("nmp" + dead)).doesNotExist();
        assertThat(bpffs.resolve("nmp" + live)).exists();
        assertThat(cgroup2.resolve("nmp" + live)).exists();
        assertThat(bpffs.resolve("nme" + dead)).exists();
        assertThat(cgroup2.resolve("nmp" + dead + "-veth")).exists();
    }

    @Test
    void removingWhatDoesNotExistIsFine() {
        StaleKernelObjects.remove(dir.resolve("no-pins"), dir.resolve("no-cgroup"));
        assertThat(dir.resolve("no-pins")).doesNotExist();
    }

    /** A pid no process has: Linux never hands out pids above PID_MAX_LIMIT (4,194,304). */
    private static long deadPid() {
        return 4_194_305L;
    }
}
