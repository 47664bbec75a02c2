package io.nodemesh.ebpf.support;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

/**
 * Runs code inside a network namespace: a fresh platform thread {@code setns(2)}s into it, so the sockets that code
 * makes live there (and stay there when used from other threads afterwards).
 */
public final class Netns {
    private static final Linker LINKER = Linker.nativeLinker();
    // int open(const char *path, int flags);
    private static final MethodHandle OPEN = LINKER.downcallHandle(LINKER.defaultLookup().find("open").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // int setns(int fd, int nstype);
    private static final MethodHandle SETNS = LINKER.downcallHandle(LINKER.defaultLookup().find("setns").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // int close(int fd);
    private static final MethodHandle CLOSE = LINKER.downcallHandle(LINKER.defaultLookup().find("close").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final int CLONE_NEWNET = 0x40000000;

    private Netns() {}

    public static <T> T call(String netnsPath, Callable<T> body) throws Exception {
        AtomicReference<T> result = new AtomicReference<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        Thread t = Thread.ofPlatform().name("netns-" + netnsPath).start(() -> {
            try {
                enter(netnsPath);
                result.set(body.call());
            } catch (Exception e) {
                failure.set(e);
            } catch (Throwable e) {
                failure.set(new RuntimeException(e));
            }
        });
        t.join();
        if (failure.get() != null) throw failure.get();
        return result.get();
    }

    private static void enter(String netnsPath) throws Throwable {
        try (Arena a = Arena.ofConfined()) {
            int fd = (int) OPEN.invokeExact(a.allocateFrom(netnsPath), 0);
            if (fd < 0) throw new IllegalStateException("cannot open " + netnsPath);
            try {
                if ((int) SETNS.invokeExact(fd, CLONE_NEWNET) != 0) throw new IllegalStateException("setns " + netnsPath + " failed");
            } finally {
                int ignored = (int) CLOSE.invokeExact(fd);
            }
        }
    }
}
