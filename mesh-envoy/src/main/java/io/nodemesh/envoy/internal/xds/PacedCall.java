package io.nodemesh.envoy.internal.xds;

import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.ToIntFunction;

/**
 * A server call whose large responses are written under a permit of the server's {@link SendBudget}, as
 * {@link PacedSender} does for delta: state of the world is java-control-plane's stream, which writes each response
 * as soon as it is made, so this sits below it, between the stream and the transport.
 * <p>
 * Without it a first configuration to 100 clients (400 MB) sat in netty's buffers at once, and netty allocated and
 * zeroed fresh direct-memory chunks for all of it: a third of the send threads' time in a profile. With it a few large
 * responses drain at a time and their pooled chunks are reused. A response waits for a permit, is written, and gives
 * the permit back when the transport is ready again; a client that stops reading keeps it at most
 * {@link #MAX_HOLD_MS}. Responses keep their order: a small one waits behind a large one queued before it.
 * <p>
 * Every call into the transport holds this object's lock (the stream and the budget's grants come on different
 * threads); grants are handed to an executor, so a release never takes another call's lock while holding one.
 */
final class PacedCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    /** The longest a stream keeps a permit while its transport drains. */
    private static final long MAX_HOLD_MS = 500;

    private final SendBudget budget;
    private final Executor grants;
    private final ToIntFunction<R> resources;
    private final int large;
    private final Deque<R> queued = new ArrayDeque<>();

    private boolean permitted;
    /** Asked the budget for a permit and not granted yet. */
    private Runnable awaiting;
    /** A large response was written and the transport has not drained it yet. */
    private boolean draining;
    /** Counts large responses written, so a timer knows whether the one it was set for still drains. */
    private long drains;

    private boolean closed;

    private PacedCall(
            ServerCall<Q, R> call, SendBudget budget, Executor grants, ToIntFunction<R> resources, int large) {
        super(call);
        this.budget = budget;
        this.grants = grants;
        this.resources = resources;
        this.large = large;
    }

    /**
     * Wraps {@code handler} so that each call's responses of {@code large} or more resources (counted by
     * {@code resources}) take a permit of {@code budget}; {@code grants} runs what follows a grant.
     */
    static <Q, R> ServerCallHandler<Q, R> pacing(
            ServerCallHandler<Q, R> handler,
            SendBudget budget,
            StreamExecutors grants,
            ToIntFunction<R> resources,
            int large) {
        return (call, headers) -> {
            PacedCall<Q, R> paced = over(call, budget, grants.next(), resources, large);
            return paced.listening(handler.startCall(paced, headers));
        };
    }

    /** {@code call} paced; {@code grants} runs what follows a grant (a serial executor of its own in the server). */
    static <Q, R> PacedCall<Q, R> over(
            ServerCall<Q, R> call, SendBudget budget, Executor grants, ToIntFunction<R> resources, int large) {
        return new PacedCall<>(call, budget, grants, resources, large);
    }

    /** The listener the call's handler returned, telling this call when the transport is ready and when it ends. */
    ServerCall.Listener<Q> listening(ServerCall.Listener<Q> listener) {
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onReady() {
                ready();
                super.onReady();
            }

            @Override
            public void onCancel() {
                ended();
                super.onCancel();
            }

            @Override
            public void onComplete() {
                ended();
                super.onComplete();
            }
        };
    }

    @Override
    public synchronized void sendMessage(R message) {
        if (closed) return;
        queued.add(message);
        flush();
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
        // What is still queued is dropped: the stream is over, nobody will read it.
        ended();
        super.close(status, trailers);
    }

    private synchronized void ended() {
        if (closed) return;
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
                    Runnable granted = () -> grants.execute(this::granted);
                    awaiting = granted;
                    budget.acquire(granted);
                }
                return;
            }
            queued.poll();
            super.sendMessage(next);
            if (isLarge) drain();
        }
    }

    /** After a large response: the permit goes back once the transport is ready again (now, for a fast reader). */
    private void drain() {
        if (super.isReady()) {
            giveBack();
            return;
        }
        draining = true;
        long drain = ++drains;
        CompletableFuture.delayedExecutor(MAX_HOLD_MS, TimeUnit.MILLISECONDS, grants)
                .execute(() -> timedOut(drain));
    }

    /** A client that does not drain gives its permit back, and gets no more large responses until it does. */
    private synchronized void timedOut(long drain) {
        if (draining && drains == drain) giveBack();
    }

    private synchronized void granted() {
        awaiting = null;
        permitted = true;
        if (closed) giveBack();
        else flush();
    }

    private synchronized void ready() {
        if (!draining || !super.isReady()) return;
        draining = false;
        giveBack();
        flush();
    }

    /** Hands the permit on; the next holder's grant runs on its own executor, never under this lock. */
    private void giveBack() {
        if (!permitted) return;
        permitted = false;
        budget.release();
    }
}
