package io.nodemesh.ebpf.testing;

import io.nodemesh.netlab.CommandResult;
import io.nodemesh.netlab.Commands;
import java.time.Duration;
import java.util.List;

/**
 * Short system commands ({@code ip}, {@code bash}) for the fixtures, on netlab's {@link Commands}: the fixtures read one
 * merged output (stdout then stderr), and failures name the command, its exit code and that output.
 */
public final class Shell {
    /** Longer than netlab's default: {@code bash}/{@code timeout 5} clients and the object build run through here. */
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private Shell() {}

    /** What a command printed (stdout then stderr) and how it ended; exit -1 if it could not start or timed out. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command} and returns its result, whatever the exit code. */
    public static Result run(List<String> command) {
        CommandResult r = Commands.run(TIMEOUT, null, command);
        return new Result(r.exit(), r.output());
    }

    public static Result run(String... command) {
        return run(List.of(command));
    }

    /** Runs {@code command} and fails with its output unless it exits 0. */
    public static String check(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed (exit " + r.exitCode() + "): "
                    + r.output().strip());
        }
        return r.output();
    }
}
