package io.nodemesh.netlab;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * nodemesh's one binding of {@code setns(2)}: the three libc calls ({@code open}, {@code setns}, {@code close}) that move
 * the calling thread into a network namespace, one handle per function. {@link Netns#call} and {@link NetnsThread} use
 * it by name, and mesh-ebpf by path (the netns cookie of a placement, iterators over a pod's sockets).
 * <p>
 * {@code setns} moves the calling thread only: call {@link #enter(Path)} on a platform thread of your own that ends or
 * stays there, never on a pooled or virtual one.
 */
@SuppressWarnings("restricted") // the downcalls are the point; the module-info comment names the flag
public final class Setns {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final int O_RDONLY_CLOEXEC = 0x80000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    /** int open(const char *path, int flags) */
    private static final MethodHandle OPEN =
            downcall("open", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    /** int setns(int fd, int nstype) */
    private static final MethodHandle SETNS =
            downcall("setns", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    /** int close(int fd) */
    private static final MethodHandle CLOSE =
            downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private Setns() {}

    /** Which call failed, and its errno. */
    public static final class Failure extends IllegalStateException {
        private static final long serialVersionUID = 1L;

        /** The libc call that failed. */
        public enum Call {
            OPEN,
            SETNS
        }

        private final Call call;
        private final String path;
        private final int errno;

        Failure(Call call, String path, int errno) {
            super((call == Call.OPEN ? "open " : "setns ") + path + ": errno " + errno);
            this.call = call;
            this.path = path;
            this.errno = errno;
        }

        public Call call() {
            return call;
        }

        /** The namespace file that could not be opened or entered. */
        public String path() {
            return path;
        }

        /** The positive errno of the failed call. */
        public int errno() {
            return errno;
        }
    }

    /**
     * Moves the calling (platform) thread into the network namespace at {@code nsPath}: a bind mount under
     * {@code /var/run/netns}, or a {@code /proc/<pid>/ns/net}.
     *
     * @throws Failure naming the call that failed and its errno
     */
    public static void enter(Path nsPath) {
        try {
            enterPath(nsPath.toString());
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns " + nsPath + " failed", t);
        }
    }

    /** Moves the calling (platform) thread into {@code /var/run/netns/<name>}. */
    static void enter(String name) throws Throwable {
        try {
            enterPath("/var/run/netns/" + name);
        } catch (Failure f) {
            // Netns's messages: the path for open, the name for setns.
            throw new IllegalStateException(
                    f.call() == Failure.Call.OPEN ? f.getMessage() : "setns " + name + ": errno " + f.errno());
        }
    }

    private static void enterPath(String path) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), O_RDONLY_CLOEXEC);
            if (fd < 0) throw new Failure(Failure.Call.OPEN, path, (int) ERRNO.get(state, 0L));
            try {
                int rc = (int) SETNS.invokeExact(state, fd, CLONE_NEWNET);
                if (rc != 0) throw new Failure(Failure.Call.SETNS, path, (int) ERRNO.get(state, 0L));
            } finally {
                int ignored = (int) CLOSE.invokeExact(state, fd);
            }
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find(name).orElseThrow(), fd, Linker.Option.captureCallState("errno"));
    }
}
