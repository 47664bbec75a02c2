package io.nodemesh.ebpf.internal.ffm;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * Downcalls into the C library for what libbpf does not cover. Every one reports failure through errno. ({@code setns}
 * is not here: mesh-netlab's {@code Setns} is nodemesh's one binding of it.)
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class LibcFunctions {
    private LibcFunctions() {}

    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    static final StructLayout ERRNO_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = ERRNO_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    static final int O_RDONLY = 0, O_DIRECTORY = 0200000, O_CLOEXEC = 02000000;
    static final int AF_INET = 2, SOCK_STREAM = 1, SOL_SOCKET = 1, SO_NETNS_COOKIE = 71;
    /** sizeof(struct statfs) on x86-64/aarch64; f_type is its first field (a long). */
    static final long STATFS_SIZE = 120;

    // int open(const char *pathname, int flags);   (variadic mode argument not passed)
    static final MethodHandle open = fn("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
    // int close(int fd);
    static final MethodHandle close = fn("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    // int statfs(const char *path, struct statfs *buf);
    static final MethodHandle statfs = fn("statfs", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
    // int unlink(const char *pathname);
    static final MethodHandle unlink = fn("unlink", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    // int mount(const char *source, const char *target, const char *filesystemtype, unsigned long mountflags, const
    // void *data);
    static final MethodHandle mount =
            fn("mount", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
    // int socket(int domain, int type, int protocol);
    static final MethodHandle socket = fn("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int getsockopt(int sockfd, int level, int optname, void *optval, socklen_t *optlen);
    static final MethodHandle getsockopt =
            fn("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int vsnprintf(char *str, size_t size, const char *format, va_list ap);   (va_list is a pointer on x86-64)
    static final MethodHandle vsnprintf = LINKER.downcallHandle(
            LIBC.find("vsnprintf").orElseThrow(),
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, ADDRESS));
    // ssize_t read(int fd, void *buf, size_t count);
    static final MethodHandle read = fn("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    // int unshare(int flags);
    static final MethodHandle unshare = fn("unshare", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(
                LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc lacks " + name)),
                descriptor,
                CAPTURE_ERRNO);
    }

    static int errno(MemorySegment captured) {
        return (int) ERRNO.get(captured, 0L);
    }
}
