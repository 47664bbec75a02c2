package io.nodemesh.planner.calibration;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntSupplier;

/**
 * Samples a socket count (the redirect map's entries for the measured connection) while a sockperf run goes on: the
 * connection only exists during the run, so the map can only be checked then. Every 200 ms is enough to see a
 * seconds-long connection and cheap enough not to disturb the measurement on the pinned CPU.
 */
final class SocketWatch {
    private final AtomicInteger max = new AtomicInteger();
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();
    private final Thread thread;
    private volatile boolean running = true;

    private SocketWatch(IntSupplier count) {
        thread = Thread.ofPlatform().daemon().name("calibrate-socket-watch").start(() -> {
            while (running) {
                try {
                    max.accumulateAndGet(count.getAsInt(), Math::max);
                } catch (RuntimeException e) {
                    failure.compareAndSet(null, e);
                    return;
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
    }

    static SocketWatch start(IntSupplier count) {
        return new SocketWatch(count);
    }

    void stop() {
        running = false;
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    int maxSockets() {
        return max.get();
    }

    RuntimeException failure() {
        return failure.get();
    }
}
