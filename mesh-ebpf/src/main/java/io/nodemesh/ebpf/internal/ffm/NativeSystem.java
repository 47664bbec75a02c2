package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.NativeCalls.call;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.netlab.Setns;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The libc system calls around libbpf: {@code statfs} for filesystem magics, mounting bpffs, and work inside a network
 * namespace (the netns cookie, iterators over a namespace's sockets), entered with mesh-netlab's {@link Setns}.
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class NativeSystem {
    private NativeSystem() {}

    static long filesystemType(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment buf = a.allocate(LibcFunctions.STATFS_SIZE, 8);
            MemorySegment p = a.allocateFrom(path);
            int rc = call(() -> (int) LibcFunctions.statfs.invokeExact(errno, p, buf));
            if (rc < 0) throw new BpfException("statfs " + path, LibcFunctions.errno(errno));
            return buf.get(JAVA_LONG, 0);
        }
    }

    static void mountBpffs(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment src = a.allocateFrom("bpf");
            MemorySegment target = a.allocateFrom(path);
            int rc = call(() -> (int) LibcFunctions.mount.invokeExact(errno, src, target, src, 0L, MemorySegment.NULL));
            if (rc < 0) throw new BpfException("mount bpffs at " + path, LibcFunctions.errno(errno));
        }
    }

    static long netnsCookie(String netnsPath) {
        return inNetns(
                netnsPath,
                "nodemesh-netns-cookie",
                "reading the netns cookie of",
                () -> netnsCookieOnThisThread(netnsPath));
    }

    /** Call on a thread already in the namespace (see {@link #inNetns}). */
    private static long netnsCookieOnThisThread(String netnsPath) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            int sock = call(() ->
                    (int) LibcFunctions.socket.invokeExact(errno, LibcFunctions.AF_INET, LibcFunctions.SOCK_STREAM, 0));
            if (sock < 0) throw new BpfException("socket in " + netnsPath, LibcFunctions.errno(errno));
            try {
                MemorySegment cookie = a.allocate(JAVA_LONG);
                MemorySegment len = a.allocateFrom(JAVA_INT, 8);
                int rc = call(() -> (int) LibcFunctions.getsockopt.invokeExact(
                        errno, sock, LibcFunctions.SOL_SOCKET, LibcFunctions.SO_NETNS_COOKIE, cookie, len));
                if (rc < 0)
                    throw new BpfException("getsockopt(SO_NETNS_COOKIE) in " + netnsPath, LibcFunctions.errno(errno));
                return cookie.get(JAVA_LONG, 0);
            } finally {
                NativeFds.closeFd(sock);
            }
        }
    }

    /**
     * Runs {@code work} in the network namespace at {@code netnsPath} and returns its result. setns changes the calling
     * thread only, so it runs on a fresh platform thread that ends right after: no thread is left in the namespace.
     * {@code doing} names the work in the error if the wait is interrupted.
     */
    static <T> T inNetns(String netnsPath, String threadName, String doing, Supplier<T> work) {
        List<T> result = new ArrayList<>(1);
        RuntimeException[] failure = new RuntimeException[1];
        Thread t = Thread.ofPlatform().name(threadName).unstarted(() -> {
            try {
                enterNetns(netnsPath);
                result.add(work.get());
            } catch (RuntimeException e) {
                failure[0] = e;
            }
        });
        t.start();
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BpfException("interrupted " + doing + " " + netnsPath);
        }
        if (failure[0] != null) throw failure[0];
        return result.getFirst();
    }

    /** Through mesh-netlab's {@link Setns}, nodemesh's one {@code setns(2)} binding; its failures as {@link BpfException}s. */
    private static void enterNetns(String netnsPath) {
        try {
            Setns.enter(Path.of(netnsPath));
        } catch (Setns.Failure f) {
            String what =
                    f.call() == Setns.Failure.Call.OPEN ? "open " + netnsPath : "enter network namespace " + netnsPath;
            throw new BpfException(what, f.errno());
        }
    }
}
