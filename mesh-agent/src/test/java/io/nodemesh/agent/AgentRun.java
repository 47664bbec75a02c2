package io.nodemesh.agent;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import picocli.CommandLine;

/** One agent run for a test: its command line on a thread of its own, its stdout and stderr kept. */
final class AgentRun implements AutoCloseable {
    final AgentCommand agent = new AgentCommand();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final AtomicInteger exit = new AtomicInteger(-1);
    private final Thread thread;

    private AgentRun(String... args) {
        agent.out = new PrintStream(out, true, StandardCharsets.UTF_8);
        agent.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        CommandLine cl = new CommandLine(agent);
        cl.setErr(new java.io.PrintWriter(agent.err, true));
        thread = Thread.ofPlatform().start(() -> {
            try {
                exit.set(cl.execute(args));
            } catch (Throwable t) { // an Error escapes picocli: record it, or a waiting test would only see a timeout
                t.printStackTrace(agent.err);
                exit.set(99);
            }
        });
    }

    /** Starts the agent; returns once it serves HTTP or has exited. */
    static AgentRun start(String... args) {
        AgentRun run = new AgentRun(args);
        run.await("the agent's HTTP port or its exit", () -> run.agent.port() != 0 || !run.thread.isAlive());
        return run;
    }

    /** Runs an agent that is expected to refuse to start, and returns its exit code. */
    static AgentRun refused(String... args) throws InterruptedException {
        AgentRun run = new AgentRun(args);
        run.thread.join(60_000);
        return run;
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Stops the agent as Ctrl-C would and returns its exit code. */
    int stop() throws InterruptedException {
        agent.stop();
        thread.join(60_000);
        return exit.get();
    }

    int exitCode() {
        return exit.get();
    }

    /** Waits for the agent (the bound only ends a failing test; nothing is timed). */
    void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out waiting for " + what + "; output:\n" + out() + "\nerrors:\n" + err());
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (thread.isAlive()) stop();
    }
}
