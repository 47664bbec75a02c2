package io.nodemesh.netlab;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host command to completion with a timeout. Both outputs are drained on their own threads while it runs, so a
 * chatty command can neither block on a full pipe nor outlive its timeout; a command that cannot start or times out
 * comes back as exit -1 with the reason in stderr. {@link CommandResult#orThrow()} turns a failure into an error.
 */
public final class Commands {
    /** Long enough for any {@code ip}/{@code nft} call on a loaded machine; measurements pass their own. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private Commands() {}

    /** Runs {@code argv} with the default timeout and no input. */
    public static CommandResult run(String... argv) {
        return run(DEFAULT_TIMEOUT, null, List.of(argv));
    }

    /** Runs {@code argv} and returns its stdout, or throws {@link CommandException} naming it. */
    public static String check(String... argv) {
        return run(argv).orThrow();
    }

    /**
     * Runs {@code argv}, writing {@code stdin} (if not null) to it, and waits at most {@code timeout}.
     */
    public static CommandResult run(Duration timeout, String stdin, List<String> argv) {
        if (argv.isEmpty()) throw new IllegalArgumentException("empty command line");
        Process p;
        try {
            p = new ProcessBuilder(argv).start();
        } catch (IOException e) {
            return new CommandResult(argv, -1, "", "cannot start " + argv.getFirst() + ": " + e.getMessage());
        }
        Drain out = Drain.of(p.getInputStream());
        Drain err = Drain.of(p.getErrorStream());
        try {
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) in.write(stdin.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                // The command exited without reading its input; its exit code and stderr tell the story.
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                return new CommandResult(
                        argv, -1, out.text(), "did not finish in " + timeout.toSeconds() + " s (killed)");
            }
            return new CommandResult(argv, p.exitValue(), out.text(), err.text());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            return new CommandResult(argv, -1, out.text(), "interrupted");
        }
    }

    /** Reads a stream to its end on a virtual thread; {@link #text()} waits briefly for the end. */
    private record Drain(ByteArrayOutputStream buffer, Thread thread) {
        static Drain of(InputStream in) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            Thread t = Thread.ofVirtual().start(() -> {
                byte[] chunk = new byte[8192];
                try (in) {
                    for (int n; (n = in.read(chunk)) > 0; ) {
                        synchronized (buffer) {
                            buffer.write(chunk, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // the process ended or was killed; what was read so far is kept
                }
            });
            return new Drain(buffer, t);
        }

        String text() {
            // A grandchild that inherited the pipe could keep it open forever: do not wait on it without bound.
            try {
                thread.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (buffer) {
                return buffer.toString(StandardCharsets.UTF_8);
            }
        }
    }
}
