package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.*;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.call;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.callLong;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.check;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.get;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.ptr;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.run;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.nodemesh.ebpf.bpf.BpfException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Attaching programs: cgroup links, {@code bpf_prog_attach}/{@code detach2}, pinned links and their program swaps, and
 * iterator links, created and read to the end (inside a network namespace when asked).
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class NativeLinks {
    private NativeLinks() {}

    static long attachCgroup(long program, int cgroupFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(ERRNO_STATE);
            MemorySegment link =
                    get(() -> (MemorySegment) bpf_program__attach_cgroup.invokeExact(errno, ptr(program), cgroupFd));
            if (link.equals(MemorySegment.NULL)) throw new BpfException("attach program to cgroup", errno(errno));
            return link.address();
        }
    }

    static void attachProgram(int programFd, int targetFd, int attachType, int flags) {
        check(call(() -> (int) bpf_prog_attach.invokeExact(programFd, targetFd, attachType, flags)), "attach program");
    }

    static void detachProgram(int programFd, int targetFd, int attachType) {
        check(call(() -> (int) bpf_prog_detach2.invokeExact(programFd, targetFd, attachType)), "detach program");
    }

    static int linkFd(long link) {
        return call(() -> (int) bpf_link__fd.invokeExact(ptr(link)));
    }

    static void pinLink(long link, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            check(call(() -> (int) bpf_link__pin.invokeExact(ptr(link), p)), "pin link at " + path);
        }
    }

    static void unpinLink(long link) {
        check(call(() -> (int) bpf_link__unpin.invokeExact(ptr(link))), "unpin link");
    }

    static long openLink(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(ERRNO_STATE);
            MemorySegment p = a.allocateFrom(path);
            MemorySegment link = get(() -> (MemorySegment) bpf_link__open.invokeExact(errno, p));
            if (link.equals(MemorySegment.NULL)) throw new BpfException("open pinned link " + path, errno(errno));
            return link.address();
        }
    }

    static void updateLink(long link, long program) {
        check(call(() -> (int) bpf_link__update_program.invokeExact(ptr(link), ptr(program))), "update link program");
    }

    static void disconnectLink(long link) {
        run(() -> {
            bpf_link__disconnect.invokeExact(ptr(link));
        });
        destroyLink(link);
    }

    static void destroyLink(long link) {
        check(call(() -> (int) bpf_link__destroy.invokeExact(ptr(link))), "destroy link");
    }

    // --- iterators -------------------------------------------------------------------------------------------------

    static long attachIter(long program) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(ERRNO_STATE);
            MemorySegment link = get(() ->
                    (MemorySegment) bpf_program__attach_iter.invokeExact(errno, ptr(program), MemorySegment.NULL));
            if (link.equals(MemorySegment.NULL)) throw new BpfException("attach iterator program", errno(errno));
            return link.address();
        }
    }

    static byte[] runIter(long link, String netnsPath) {
        if (netnsPath.isEmpty()) return readIter(link);
        return NativeSystem.inNetns(netnsPath, "nodemesh-netns-iter", "running an iterator in", () -> readIter(link));
    }

    private static byte[] readIter(long link) {
        int linkFd = linkFd(link);
        int iterFd = call(() -> (int) bpf_iter_create.invokeExact(linkFd));
        if (iterFd < 0) throw new BpfException("create iterator", -iterFd);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment buf = a.allocate(4096);
            var out = new java.io.ByteArrayOutputStream();
            while (true) {
                // The program runs while we read: every read walks the next sockets until the buffer is full.
                long n = callLong(() -> (long) LibcFunctions.read.invokeExact(errno, iterFd, buf, 4096L));
                if (n < 0) throw new BpfException("read iterator", LibcFunctions.errno(errno));
                if (n == 0) return out.toByteArray();
                out.writeBytes(buf.asSlice(0, n).toArray(JAVA_BYTE));
            }
        } finally {
            NativeFds.closeFd(iterFd);
        }
    }
}
