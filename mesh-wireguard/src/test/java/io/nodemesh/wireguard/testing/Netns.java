package io.nodemesh.wireguard.testing;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

/**
 * Runs code inside a named network namespace: a fresh platform thread calls {@code setns(2)} and then runs it, so the
 * sockets it creates live in that namespace (and keep living there when used from other threads). The thread ends
 * afterwards, so no pooled thread is ever left in a foreign namespace.
 */
public final class Netns {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** int open(const char *path, int flags) */
    private static final MethodHandle OPEN = downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    /** int setns(int fd, int nstype) */
    private static final MethodHandle SETNS = downcall("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    /** int close(int fd) */
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Netns() {}

    public static <T> T call(String netns, Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = Thread.ofPlatform().name("netns-" + netns).start(() -> {
            try {
                enter(netns);
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        try {
            t.join();
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) throw r;
            throw new IllegalStateException("in netns " + netns + ": " + e.getCause(), e.getCause());
        }
    }

    private static void enter(String netns) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom("/var/run/netns/" + netns), O_RDONLY_CLOEXEC);
            if (fd < 0) throw new IllegalStateException("open /var/run/netns/" + netns + ": errno " + (int) ERRNO.get(state, 0L));
            try {
                int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
                if (rc != 0) throw new IllegalStateException("setns " + netns + ": errno " + (int) ERRNO.get(state, 0L));
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), fd, Linker.Option.captureCallState("errno"));
    }
}
