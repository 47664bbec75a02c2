package io.nodemesh.netlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LabPrefixTest {
    private final LabPrefix mine = LabPrefix.forThisProcess("nmt");

    @Test
    void namesCarryTheStemAndThisPid() {
        assertThat(mine.value()).isEqualTo("nmt" + ProcessHandle.current().pid());
        assertThat(mine.name("-a")).isEqualTo(mine.value() + "-a");
        assertThat(LabPrefix.parse(mine.value())).isEqualTo(mine);
    }

    @Test
    void ownershipStopsAtTheLastDigitOfThePid() {
        LabPrefix p = new LabPrefix("nmp", 47);
        assertThat(p.owns("nmp47-node")).isTrue();
        assertThat(p.owns("nmp47")).isTrue();
        assertThat(p.owns("nmp471-node")).isFalse();
        assertThat(p.owns("nmw47-node")).isFalse();
        assertThat(p.owns("eth0")).isFalse();
    }

    @Test
    void badStemsAndPrefixesAreRefusedWithTheValue() {
        assertThatThrownBy(() -> LabPrefix.forThisProcess("NM")).hasMessageContaining("'NM'");
        assertThatThrownBy(() -> LabPrefix.forThisProcess("toolong")).hasMessageContaining("1-5 lower-case letters");
        assertThatThrownBy(() -> LabPrefix.parse("nmp-1")).hasMessageContaining("'nmp-1'");
    }

    @Test
    void onlyNamesOfDeadRunsWithTheSameStemAreStale() throws Exception {
        long dead = deadPid();
        var stale = mine.staleRuns();
        assertThat(stale.test("nmt" + dead + "-a")).isTrue();
        assertThat(stale.test(mine.name("-a"))).as("our own run").isFalse();
        assertThat(stale.test("nmt1-a")).as("pid 1 is alive").isFalse();
        assertThat(stale.test("nmw" + dead + "-a")).as("another stem").isFalse();
        assertThat(stale.test("nmt-a")).as("no pid").isFalse();
    }

    @Test
    void aFileSweepRemovesExactlyTheStaleOnes(@TempDir Path dir) throws Exception {
        long dead = deadPid();
        for (String f : new String[] {"nmt" + dead + "w1.sock", mine.name("w1.sock"), "nmt1w1.sock", "other.sock"}) {
            Files.writeString(dir.resolve(f), "");
        }
        var removed = StaleSweep.matching(mine.staleRuns()).files(dir);
        assertThat(removed)
                .containsExactly(dir.resolve("nmt" + dead + "w1.sock").toString());
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(mine.name("w1.sock"), "nmt1w1.sock", "other.sock");
        }
        var ownToo = StaleSweep.matching(mine.staleRuns().or(mine::owns)).files(dir);
        assertThat(ownToo).containsExactly(dir.resolve(mine.name("w1.sock")).toString());
    }

    @Test
    void sweepingAMissingDirectoryRemovesNothing(@TempDir Path dir) {
        assertThat(StaleSweep.matching(mine.staleRuns()).files(dir.resolve("absent")))
                .isEmpty();
    }

    /** The pid of a process that has exited (reuse within the test is practically impossible). */
    private static long deadPid() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }
}
