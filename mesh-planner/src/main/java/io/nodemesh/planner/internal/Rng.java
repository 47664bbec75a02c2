package io.nodemesh.planner.internal;

/** SplitMix64: fast, seedable, good enough for simulation, and no object per draw. */
final class Rng {
    private long state;

    Rng(long seed) {
        state = seed;
    }

    long nextLong() {
        long z = (state += 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in (0, 1]. */
    double nextDouble() {
        return ((nextLong() >>> 11) + 1) * 0x1.0p-53;
    }

    int nextInt(int bound) {
        return (int) (((nextLong() >>> 33) * bound) >>> 31);
    }

    double exponential(double mean) {
        return -mean * Math.log(nextDouble());
    }
}
