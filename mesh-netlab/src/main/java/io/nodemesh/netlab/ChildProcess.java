package io.nodemesh.netlab;

import java.io.IOException;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * A long-running child (a daemon, a capture, a server) that never outlives its owner: {@link #close()} stops it
 * (SIGTERM, then SIGKILL after a grace period), and children still running when the JVM exits are killed by a
 * shutdown hook. Start it in the foreground (no daemonising), or the process held here is not the one that runs.
 */
public final class ChildProcess implements AutoCloseable {
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(5);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime()
                .addShutdownHook(Thread.ofPlatform().unstarted(() -> LIVE.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;

    private ChildProcess(String name, Process process) {
        this.name = name;
        this.process = process;
    }

    /**
     * Starts {@code builder} (its redirects and environment as the caller set them); {@code name} goes into errors.
     * @throws CommandException if it cannot start, naming the command line
     */
    public static ChildProcess start(String name, ProcessBuilder builder) {
        try {
            Process p = builder.start();
            LIVE.add(p);
            return new ChildProcess(name, p);
        } catch (IOException e) {
            throw new CommandException(
                    new CommandResult(builder.command(), -1, "", "cannot start " + name + ": " + e.getMessage()));
        }
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** The process, for its pipes and exit value. Stop it through this class, not directly. */
    public Process process() {
        return process;
    }

    /** Stops it: SIGTERM, then SIGKILL if it is still running after {@code grace}. Idempotent. */
    public void stop(Duration grace) {
        try {
            if (process.isAlive()) {
                process.destroy();
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            LIVE.remove(process);
        }
    }

    @Override
    public void close() {
        stop(DEFAULT_GRACE);
    }

    @Override
    public String toString() {
        return name + " (pid " + process.pid() + ")";
    }
}
