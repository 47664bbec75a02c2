package io.nodemesh.netlab;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class LeftoversTest {

    @Test
    void findsALiveProcessByItsCommandLineAndNotAfterItEnded() throws Exception {
        String marker = "nm-leftover-" + UUID.randomUUID();
        // the marker is sh's $0, so it stands in its command line; "; true" keeps sh from exec-ing sleep in its place
        Process p = new ProcessBuilder("sh", "-c", "sleep 60; true", marker).start();
        try {
            assertThat(Leftovers.processesMentioning(marker))
                    .singleElement()
                    .asString()
                    .startsWith("process " + p.pid() + ": ")
                    .contains(marker);
        } finally {
            p.destroy();
            p.waitFor();
        }
        assertThat(Leftovers.processesMentioning(marker)).isEmpty();
    }

    @Test
    void neverReportsThisJvm() {
        // this JVM's command line names its own main class or jar, which a careless check would count as a leftover
        String self = ProcessHandle.current().info().commandLine().orElse("java");
        assertThat(Leftovers.processesMentioning(self.split(" ")[0]))
                .noneMatch(
                        l -> l.startsWith("process " + ProcessHandle.current().pid() + ":"));
    }
}
