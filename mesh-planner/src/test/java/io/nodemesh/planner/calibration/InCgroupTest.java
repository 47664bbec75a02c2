package io.nodemesh.planner.calibration;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cgroup wrapper writes its own pid, then execs the command in place: the command runs with that very pid, so it
 * is the process the cgroup holds. A plain directory stands in for the cgroup (no root needed).
 */
class InCgroupTest {
    @TempDir
    Path dir;

    @Test
    void noCgroupLeavesTheCommandAsItIs() {
        assertThat(InCgroup.wrap(null, List.of("sockperf", "server"))).containsExactly("sockperf", "server");
    }

    @Test
    void theCommandRunsWithThePidWrittenToCgroupProcs() throws Exception {
        Path spaced = Files.createDirectories(dir.resolve("a cgroup")); // a path with a space stays one argument
        List<String> cmd = InCgroup.wrap(spaced, List.of("sh", "-c", "echo $$; echo \"$1\"", "sh", "two words"));
        Process p = new ProcessBuilder(cmd).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).as("arguments pass through unsplit").isEqualTo("two words");
        assertThat(Files.readString(spaced.resolve("cgroup.procs")).strip())
                .isEqualTo(lines.getFirst())
                .isEqualTo(Long.toString(p.pid()));
    }

    @Test
    void aCgroupThatCannotBeWrittenStopsTheCommand() throws Exception {
        List<String> cmd = InCgroup.wrap(dir.resolve("missing"), List.of("echo", "ran"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).isNotZero();
        assertThat(out).doesNotContain("ran");
    }
}
