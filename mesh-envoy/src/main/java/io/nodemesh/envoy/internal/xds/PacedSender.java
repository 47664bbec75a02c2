package io.nodemesh.envoy.internal.xds;

import io.grpc.stub.ServerCallStreamObserver;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * Writes one stream's responses in order, each large one under a permit of the server's {@link SendBudget}: a large
 * response waits for a permit, is written, and gives the permit back when the transport has drained it (gRPC's
 * on-ready signal). Only one large response of a stream drains at a time. A client that stops reading keeps its permit
 * at most {@link #MAX_HOLD_MS}, so it cannot hold the others up; it gets no more large responses until it drains.
 * <p>
 * Both protocols' streams write through it ({@link SotwStream}, {@link DeltaStream}), so there is one pacing core.
 * <p>
 * Not thread-safe: every call, and the callbacks it schedules, runs on the stream's serial executor.
 */
final class PacedSender<R> {
    /** The longest a stream keeps a permit while its transport drains. */
    private static final long MAX_HOLD_MS = 500;

    private final ServerCallStreamObserver<R> out;
    private final Executor serial;
    private final SendBudget budget;
    private final int large;
    private final ToIntFunction<R> resources;
    /** Responses waiting for a permit, or behind one that does. */
    private final Deque<R> queued = new ArrayDeque<>();

    private boolean permitted;
    /** Asked the budget for a permit and not granted yet. */
    private Runnable awaiting;
    /** A large response was written and the transport has not drained it yet. */
    private boolean draining;
    /** Counts large responses written, so a timer knows whether the one it was set for still drains. */
    private long drains;

    private boolean closed;

    /** {@code large}: responses with this many resources (counted by {@code resources}) or more take a permit. */
    PacedSender(
            ServerCallStreamObserver<R> out,
            Executor serial,
            SendBudget budget,
            int large,
            ToIntFunction<R> resources) {
        this.out = out;
        this.resources = resources;
        this.serial = serial;
        this.budget = budget;
        this.large = large;
        out.setOnReadyHandler(() -> serial.execute(this::ready));
    }

    void send(R response) {
        queued.add(response);
        flush();
    }

    /** Drops what is queued and gives back the permit; one granted later is given back when it arrives. */
    void close() {
        closed = true;
        queued.clear();
        if (awaiting != null && budget.cancel(awaiting)) awaiting = null;
        draining = false;
        giveBack();
    }

    private void flush() {
        while (!queued.isEmpty() && !closed && !draining) {
            R next = queued.peek();
            boolean isLarge = resources.applyAsInt(next) >= large;
            if (isLarge && !permitted) {
                if (awaiting == null) {
                    Runnable granted = () -> serial.execute(this::granted);
                    awaiting = granted;
                    budget.acquire(granted);
                }
                return;
            }
            queued.poll();
            out.onNext(next);
            if (isLarge) drain();
        }
    }

    /** After a large response: the permit goes back once the transport is ready again (now, for a fast reader). */
    private void drain() {
        if (out.isReady()) {
            giveBack();
            return;
        }
        draining = true;
        long drain = ++drains;
        CompletableFuture.delayedExecutor(MAX_HOLD_MS, TimeUnit.MILLISECONDS, serial)
                .execute(() -> {
                    if (draining && drains == drain) giveBack();
                });
    }

    private void granted() {
        awaiting = null;
        permitted = true;
        if (closed) giveBack();
        else flush();
    }

    private void ready() {
        if (!draining || !out.isReady()) return;
        draining = false;
        giveBack();
        flush();
    }

    private void giveBack() {
        if (!permitted) return;
        permitted = false;
        budget.release();
    }
}
