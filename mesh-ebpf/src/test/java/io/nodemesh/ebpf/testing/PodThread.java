package io.nodemesh.ebpf.testing;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One platform thread that lives inside a pod's network namespace: every socket created by a task run here belongs to
 * the pod. Sockets keep their namespace once made, so servers may accept and serve them on any other thread.
 */
public final class PodThread implements AutoCloseable {
    private final ExecutorService executor;

    PodThread(String name, Path netnsPath) {
        this.executor = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform().name(name).daemon().unstarted(() -> {
            Netns.enter(netnsPath);
            r.run();
        }));
        call(() -> null); // enter now, so a bad namespace fails here and not in the first real task
    }

    /** Runs {@code task} inside the namespace and returns its result; its exception is rethrown unwrapped when unchecked. */
    public <T> T call(Callable<T> task) {
        Future<T> f = executor.submit(task);
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
