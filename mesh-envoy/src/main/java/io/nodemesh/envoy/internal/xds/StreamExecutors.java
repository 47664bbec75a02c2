package io.nodemesh.envoy.internal.xds;

import io.envoyproxy.controlplane.server.ExecutorGroup;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where xDS responses are written: one serial executor per stream over a shared pool.
 * <p>
 * java-control-plane's default runs each send on the thread that set the snapshot, so {@code apply()} serialized the
 * responses of every client one after another on one core (2.5 s of a 10,000-service first push to 100 clients).
 * Here the sends of different streams run in parallel on all cores and {@code apply()} returns once the snapshots are
 * set; each stream's responses stay in order (ADS needs clusters before endpoints, listeners before routes).
 */
final class StreamExecutors implements ExecutorGroup, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(StreamExecutors.class);

    private final ExecutorService pool = Executors.newFixedThreadPool(
            Runtime.getRuntime().availableProcessors(),
            r -> Thread.ofPlatform().daemon().name("xds-send").unstarted(r));

    @Override
    public java.util.concurrent.Executor next() {
        return new Serial();
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }

    /** Runs its tasks one at a time, in submission order, on the pool. */
    private final class Serial implements java.util.concurrent.Executor {
        private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        @Override
        public void execute(Runnable task) {
            tasks.add(task);
            schedule();
        }

        private void schedule() {
            if (!scheduled.compareAndSet(false, true)) return;
            try {
                pool.execute(this::drain);
            } catch (RejectedExecutionException e) {
                // closing: the streams are being shut down, nothing left to send to
                tasks.clear();
                scheduled.set(false);
            }
        }

        private void drain() {
            for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.warn("sending an xDS response failed", e);
                }
            }
            scheduled.set(false);
            if (!tasks.isEmpty()) schedule(); // added after the last poll, before the flag was cleared
        }
    }
}
