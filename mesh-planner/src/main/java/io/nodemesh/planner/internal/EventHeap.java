package io.nodemesh.planner.internal;

import java.util.Arrays;

/**
 * A binary min-heap of (time, payload) events on two primitive arrays: no object per event, so ten million simulated
 * requests make no garbage. Equal times pop in an order fixed by the insertion sequence, so runs are reproducible.
 */
final class EventHeap {
    private long[] times = new long[1024];
    private int[] payloads = new int[1024];
    private int size;

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    void push(long time, int payload) {
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            payloads = Arrays.copyOf(payloads, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (times[parent] <= time) break;
            times[i] = times[parent];
            payloads[i] = payloads[parent];
            i = parent;
        }
        times[i] = time;
        payloads[i] = payload;
    }

    /** Time of the earliest event; the heap must not be empty. */
    long peekTime() {
        return times[0];
    }

    /** Removes the earliest event and returns its payload (read {@link #peekTime()} first). */
    int pop() {
        int top = payloads[0];
        int last = --size;
        long t = times[last];
        int p = payloads[last];
        int i = 0;
        int half = last >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            int right = child + 1;
            if (right < last && times[right] < times[child]) child = right;
            if (t <= times[child]) break;
            times[i] = times[child];
            payloads[i] = payloads[child];
            i = child;
        }
        times[i] = t;
        payloads[i] = p;
        return top;
    }
}
