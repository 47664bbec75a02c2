package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.BATCH_OPTS;
import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.BATCH_OPTS_ELEM_FLAGS;
import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.BATCH_OPTS_SZ;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.nodemesh.ebpf.bpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * What every part of {@link NativeLibbpf} shares: invoking a downcall handle without checked {@code Throwable}s,
 * turning libbpf's {@code -errno} returns into {@link BpfException}s, and copying Java bytes and C strings across.
 */
final class NativeCalls {
    private NativeCalls() {}

    static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }

    static MemorySegment bytes(Arena a, byte[] data) {
        MemorySegment s = a.allocate(Math.max(1, data.length), 8);
        MemorySegment.copy(data, 0, s, JAVA_BYTE, 0, data.length);
        return s;
    }

    static MemorySegment batchOpts(Arena a, long elemFlags) {
        MemorySegment opts = a.allocate(BATCH_OPTS);
        BATCH_OPTS_SZ.set(opts, 0L, BATCH_OPTS.byteSize());
        BATCH_OPTS_ELEM_FLAGS.set(opts, 0L, elemFlags);
        return opts;
    }

    static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0, StandardCharsets.UTF_8);
    }

    /** libbpf's int convention: a negative return is {@code -errno}. */
    static int check(int rc, String what) {
        if (rc < 0) throw new BpfException(what, -rc);
        return rc;
    }

    @FunctionalInterface
    interface IntCall {
        int call() throws Throwable;
    }

    @FunctionalInterface
    interface LongCall {
        long call() throws Throwable;
    }

    @FunctionalInterface
    interface SegmentCall {
        MemorySegment call() throws Throwable;
    }

    @FunctionalInterface
    interface VoidCall {
        void call() throws Throwable;
    }

    static int call(IntCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static long callLong(LongCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static MemorySegment get(SegmentCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void run(VoidCall c) {
        try {
            c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed", t);
    }
}
