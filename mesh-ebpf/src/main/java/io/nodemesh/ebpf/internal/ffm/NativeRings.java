package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.*;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.call;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.check;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.ptr;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.rethrow;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.run;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.nodemesh.ebpf.bpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * libbpf ring buffers: an upcall stub per ring that copies each record out to a Java consumer, polled on the caller's
 * thread. Holds each ring's stub memory for as long as the ring is open.
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class NativeRings {
    /** A ring buffer's upcall stub lives as long as the ring. */
    private record RingMemory(Arena arena) {}

    private static final MethodHandle RING_SAMPLE;

    static {
        try {
            RING_SAMPLE = MethodHandles.lookup()
                    .findStatic(
                            NativeRings.class,
                            "ringSample",
                            MethodType.methodType(
                                    int.class, Consumer.class, MemorySegment.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Map<Long, RingMemory> rings = new ConcurrentHashMap<>();

    /** The upcall: copy the record out (the kernel's slot is released when we return) and hand it on. */
    @SuppressWarnings("unchecked")
    private static int ringSample(Consumer<byte[]> sink, MemorySegment ctx, MemorySegment data, long size) {
        try {
            sink.accept(data.reinterpret(size).toArray(JAVA_BYTE));
        } catch (RuntimeException e) {
            // An exception must never unwind into native code: the record is counted as consumed and dropped.
            System.getLogger(NativeLibbpf.class.getName())
                    .log(System.Logger.Level.WARNING, "ring buffer consumer failed", e);
        }
        return 0;
    }

    long openRing(int mapFd, Consumer<byte[]> sink) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment stub = LINKER.upcallStub(RING_SAMPLE.bindTo(sink), RING_SAMPLE_FN, arena);
            MemorySegment errno = arena.allocate(ERRNO_STATE);
            MemorySegment rb = (MemorySegment)
                    ring_buffer__new.invokeExact(errno, mapFd, stub, MemorySegment.NULL, MemorySegment.NULL);
            if (rb.equals(MemorySegment.NULL))
                throw new BpfException("open ring buffer on map fd " + mapFd, errno(errno));
            rings.put(rb.address(), new RingMemory(arena));
            return rb.address();
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
    }

    int pollRing(long ring, int timeoutMillis) {
        int rc = call(() -> (int) ring_buffer__poll.invokeExact(ptr(ring), timeoutMillis));
        if (rc == -4) return 0; // EINTR: a signal, not an error
        return check(rc, "poll ring buffer");
    }

    void closeRing(long ring) {
        RingMemory memory = rings.remove(ring);
        run(() -> {
            ring_buffer__free.invokeExact(ptr(ring));
        });
        if (memory != null) memory.arena().close();
    }
}
