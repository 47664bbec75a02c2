package io.nodemesh.netlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ChildProcessTest {
    @Test
    void closeStopsTheChild() {
        ChildProcess child;
        try (ChildProcess c = ChildProcess.start("sleeper", new ProcessBuilder("sleep", "300"))) {
            child = c;
            assertThat(c.isAlive()).isTrue();
        }
        assertThat(child.isAlive()).isFalse();
        assertThat(ProcessHandle.of(child.pid()).map(ProcessHandle::isAlive).orElse(false))
                .isFalse();
    }

    @Test
    void aChildIgnoringSigtermIsKilledAfterTheGrace() {
        ChildProcess c = ChildProcess.start(
                "stubborn", new ProcessBuilder("sh", "-c", "trap '' TERM; while :; do sleep 1; done"));
        c.stop(Duration.ofMillis(300));
        assertThat(c.isAlive()).isFalse();
    }

    @Test
    void aChildThatCannotStartIsNamed() {
        assertThatThrownBy(() -> ChildProcess.start("daemon-x", new ProcessBuilder("/nonexistent/daemon-x", "-f")))
                .isInstanceOf(CommandException.class)
                .hasMessageContaining("`/nonexistent/daemon-x -f`")
                .hasMessageContaining("cannot start daemon-x");
    }
}
