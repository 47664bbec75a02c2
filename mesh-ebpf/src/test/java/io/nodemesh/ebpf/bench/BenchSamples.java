package io.nodemesh.ebpf.bench;

import java.util.Arrays;

/** Wall-clock samples of one benchmark row, in nanoseconds, and the statistics the tables print. */
final class BenchSamples {
    private long[] nanos = new long[16];
    private int n;

    /** Times {@code task} once and records it. */
    <T> T time(java.util.function.Supplier<T> task) {
        long start = System.nanoTime();
        T result = task.get();
        add(System.nanoTime() - start);
        return result;
    }

    void add(long ns) {
        if (n == nanos.length) nanos = Arrays.copyOf(nanos, n * 2);
        nanos[n++] = ns;
    }

    int count() {
        return n;
    }

    /** The {@code p}-th percentile (0–100), nearest rank. */
    long percentile(double p) {
        if (n == 0) throw new IllegalStateException("no samples");
        long[] sorted = Arrays.copyOf(nanos, n);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * n);
        return sorted[Math.max(0, Math.min(n - 1, rank - 1))];
    }

    long median() {
        return percentile(50);
    }

    long min() {
        return percentile(0);
    }

    static String ms(long ns) {
        return String.format("%.3f", ns / 1e6);
    }
}
