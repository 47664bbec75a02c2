package io.nodemesh.ebpf.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * Moves the calling thread into a network namespace with {@code setns(2)} through FFM. Only ever call it on a
 * dedicated platform thread (see {@link PodThread}): a virtual thread would carry the namespace to whatever carrier it
 * lands on, and a pooled thread would leak it to the next task.
 */
final class Netns {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");
    private static final VarHandle ERRNO_HANDLE = Linker.Option.captureStateLayout()
            .varHandle(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));

    // int open(const char *pathname, int flags);
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("open"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), ERRNO);
    // int setns(int fd, int nstype);
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("setns"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), ERRNO);
    // int close(int fd);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().findOrThrow("close"),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Netns() {}

    /** Moves the current (platform) thread into the network namespace bound at {@code path}. */
    static void enter(Path path) {
        if (Thread.currentThread().isVirtual()) {
            throw new IllegalStateException("setns on a virtual thread would move its carrier thread; use a platform thread");
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment errno = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) OPEN.invokeExact(errno, arena.allocateFrom(path.toString()), O_RDONLY | O_CLOEXEC);
            if (fd < 0) throw new IllegalStateException("open(" + path + ") failed: errno " + (int) ERRNO_HANDLE.get(errno, 0L));
            try {
                int rc = (int) SETNS.invokeExact(errno, fd, CLONE_NEWNET);
                if (rc != 0) throw new IllegalStateException("setns(" + path + ") failed: errno " + (int) ERRNO_HANDLE.get(errno, 0L));
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns into " + path + " failed", t);
        }
    }
}
