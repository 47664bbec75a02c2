package io.nodemesh.examples.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * What a CLI run printed and returned, for the example programs' tests: stdout and stderr are captured by swapping
 * {@code System.out}/{@code System.err}, which are global, so captures are serialised on this class.
 */
public record CliRun(int exitCode, String out, String err) {
    /** A body whose exit code is captured along with what it prints; a {@code main} returns 0. */
    public interface Body {
        int run() throws Exception;
    }

    /** {@code nodemesh args…} through {@link NodemeshCommand#run}. */
    public static CliRun nodemesh(String... args) {
        try {
            return capture(() -> NodemeshCommand.run(args));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("nodemesh " + String.join(" ", args) + ": " + e, e);
        }
    }

    /** Runs {@code body} with both streams captured, restoring them afterwards even when it throws. */
    public static synchronized CliRun capture(Body body) throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        var outBytes = new ByteArrayOutputStream();
        var errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = body.run();
            return new CliRun(
                    code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
