package io.nodemesh.netlab;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class CommandsTest {
    @Test
    void aFailingCommandIsNamedWithItsExitCodeAndStderr() {
        assertThatThrownBy(() -> Commands.check("sh", "-c", "echo no such thing >&2; exit 3"))
                .isInstanceOf(CommandException.class)
                .hasMessage("`sh -c echo no such thing >&2; exit 3` failed (exit 3): no such thing")
                .satisfies(
                        e -> assertThat(((CommandException) e).result().exit()).isEqualTo(3));
    }

    @Test
    void stdoutIsShownWhenAFailureSaysNothingOnStderr() {
        assertThatThrownBy(() -> Commands.check("sh", "-c", "echo only here; exit 1"))
                .hasMessageEndingWith("(exit 1): only here");
    }

    @Test
    void aMissingBinaryIsNamed() {
        CommandResult r = Commands.run("/nonexistent/nodemesh-tool", "x");
        assertThat(r.ok()).isFalse();
        assertThat(r.exit()).isEqualTo(-1);
        assertThatThrownBy(r::orThrow)
                .hasMessageContaining("`/nonexistent/nodemesh-tool x`")
                .hasMessageContaining("cannot start /nonexistent/nodemesh-tool");
    }

    @Test
    void aCommandPastItsTimeoutIsKilledAndSaysSo() {
        CommandResult r = Commands.run(Duration.ofMillis(200), null, List.of("sleep", "30"));
        assertThat(r.exit()).isEqualTo(-1);
        assertThat(r.stderr()).contains("did not finish");
        assertThatThrownBy(r::orThrow).hasMessageContaining("`sleep 30` failed (exit -1): did not finish");
    }

    @Test
    void stdinIsFedAndBothOutputsAreKeptApart() {
        CommandResult r = Commands.run(Duration.ofSeconds(10), "hello\n", List.of("sh", "-c", "cat; echo err >&2"));
        assertThat(r.ok()).isTrue();
        assertThat(r.stdout()).isEqualTo("hello\n");
        assertThat(r.stderr()).isEqualTo("err\n");
        assertThat(r.output()).isEqualTo("hello\nerr\n");
    }

    @Test
    void outputLargerThanAPipeBufferDoesNotBlockTheCommand() {
        // 1 MiB on each stream: a reader that drained them one after the other, or after waiting, would hang here.
        CommandResult r = Commands.run(
                Duration.ofSeconds(20),
                null,
                List.of("sh", "-c", "head -c 1048576 /dev/zero >&2; head -c 1048576 /dev/zero"));
        assertThat(r.ok()).isTrue();
        assertThat(r.stdout()).hasSize(1 << 20);
        assertThat(r.stderr()).hasSize(1 << 20);
    }
}
