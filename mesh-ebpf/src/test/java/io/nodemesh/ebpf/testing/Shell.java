package io.nodemesh.ebpf.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short system commands ({@code ip}, {@code bash}) for the fixtures; failures name the command and its output. */
public final class Shell {
    private Shell() {}

    /** What a command printed and how it ended. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Runs {@code command} and returns its result, whatever the exit code. */
    public static Result run(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "\n(timed out)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + String.join(" ", command), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted running " + String.join(" ", command), e);
        }
    }

    public static Result run(String... command) {
        return run(List.of(command));
    }

    /** Runs {@code command} and fails with its output unless it exits 0. */
    public static String check(String... command) {
        Result r = run(command);
        if (!r.ok()) {
            throw new IllegalStateException("'" + String.join(" ", command) + "' failed (exit " + r.exitCode() + "): " + r.output().strip());
        }
        return r.output();
    }
}
