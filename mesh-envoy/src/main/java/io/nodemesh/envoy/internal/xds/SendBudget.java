package io.nodemesh.envoy.internal.xds;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * How many large responses may be on their way at once, across all streams. A first configuration for 100 clients is
 * 500 MB; written all at once it sits in netty's buffers at once, and netty allocates (and zeroes) new direct-memory
 * chunks for it — most of the send threads' time in a profile. A stream takes a permit before it writes a large
 * response and gives it back when the transport has drained it, so a few pooled chunks are reused instead.
 */
final class SendBudget {
    private int permits;
    private final Deque<Runnable> waiting = new ArrayDeque<>();

    SendBudget(int permits) {
        this.permits = permits;
    }

    /** Runs {@code granted} with a permit now or once one is free (on the releasing thread; keep it short). */
    void acquire(Runnable granted) {
        synchronized (this) {
            if (permits == 0) {
                waiting.add(granted);
                return;
            }
            permits--;
        }
        granted.run();
    }

    /** Gives a permit back; the longest waiter gets it. */
    void release() {
        Runnable next;
        synchronized (this) {
            next = waiting.poll();
            if (next == null) {
                permits++;
                return;
            }
        }
        next.run();
    }

    /** Forgets a waiter that no longer wants a permit (its stream closed); false if it was already granted one. */
    synchronized boolean cancel(Runnable granted) {
        return waiting.remove(granted);
    }
}
