package io.nodemesh.ebpf.bench;

/** Live heap, in bytes, after asking for full collections until it stops shrinking: what a set of objects retains. */
final class HeapUse {
    private HeapUse() {}

    static long settled() {
        long last = Long.MAX_VALUE;
        for (int i = 0; i < 6; i++) {
            System.gc();
            long used =
                    Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
            if (used >= last) return used;
            last = used;
        }
        return last;
    }

    static String mib(long bytes) {
        return String.format("%.1f", bytes / (1024.0 * 1024.0));
    }
}
