package io.nodemesh.netlab;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One platform thread that stays inside a namespace, for code that makes many sockets there (a pod's clients and
 * servers) without a thread per call as {@link Netns#call} takes. Never a virtual thread: {@code setns(2)} would move
 * its carrier, and with it whatever other virtual thread runs there next.
 */
public final class NetnsThread implements AutoCloseable {
    private final Netns netns;
    private final ExecutorService executor;
    /** Set on the thread itself when it could not enter; every task then fails with it instead of running outside. */
    private volatile IllegalStateException enterFailure;

    /** Starts the thread and enters {@code netns} now, so a missing namespace fails here and not in the first task. */
    public NetnsThread(Netns netns) {
        this.netns = netns;
        this.executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform()
                .name("netns-" + netns.name())
                .daemon()
                .unstarted(() -> {
                    try {
                        if (!netns.isRoot()) Setns.enter(netns.name());
                    } catch (Throwable e) {
                        enterFailure = new IllegalStateException("cannot enter " + netns + ": " + e.getMessage(), e);
                    }
                    r.run();
                }));
        try {
            call(() -> null);
        } catch (RuntimeException e) {
            executor.shutdownNow();
            throw e;
        }
    }

    public Netns netns() {
        return netns;
    }

    /** Runs {@code task} inside the namespace; its runtime exception is rethrown as is. */
    public <T> T call(Callable<T> task) {
        if (executor.isShutdown()) throw new IllegalStateException("the thread in " + netns + " is closed");
        Future<T> f = executor.submit(() -> {
            IllegalStateException failed = enterFailure;
            if (failed != null) throw failed;
            return task.call();
        });
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running in " + netns, e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException("in " + netns + ": " + e.getCause(), e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
