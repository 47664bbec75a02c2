package io.nodemesh.ebpf.support;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * TCP sockets through libc, for what {@code java.net} cannot do: a node-proxy stand-in that asks the kernel for an
 * accepted socket's original destination, {@code getsockopt(SOL_IP, SO_ORIGINAL_DST)} or
 * {@code getsockopt(SOL_IPV6, IP6T_SO_ORIGINAL_DST)}, exactly as Envoy's {@code original_dst} listener filter does.
 * Create sockets on a thread inside the wanted netns (see {@link Netns#call}); the fds then work from any thread.
 */
public final class RawTcp {
    public static final int AF_INET = 2, AF_INET6 = 10;
    public static final int SOL_IP = 0, SOL_IPV6 = 41, SO_ORIGINAL_DST = 80, IP6T_SO_ORIGINAL_DST = 80;
    public static final int ENOENT = 2, EAGAIN = 11, ENOPROTOOPT = 92;
    private static final int SOCK_STREAM = 1, SOCK_NONBLOCK = 04000, SOL_SOCKET = 1, SO_REUSEADDR = 2, IPV6_V6ONLY = 26;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    // int socket(int domain, int type, int protocol);
    private static final MethodHandle SOCKET =
            handle("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    // int setsockopt(int fd, int level, int optname, const void *optval, socklen_t optlen);
    private static final MethodHandle SETSOCKOPT =
            handle("setsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // int getsockopt(int fd, int level, int optname, void *optval, socklen_t *optlen);
    private static final MethodHandle GETSOCKOPT =
            handle("getsockopt", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    // int bind(int fd, const struct sockaddr *addr, socklen_t len);
    private static final MethodHandle BIND =
            handle("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    // int listen(int fd, int backlog);
    private static final MethodHandle LISTEN = handle("listen", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    // int accept4(int fd, struct sockaddr *addr, socklen_t *len, int flags);
    private static final MethodHandle ACCEPT4 =
            handle("accept4", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    // ssize_t write(int fd, const void *buf, size_t count);
    private static final MethodHandle WRITE =
            handle("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    // int close(int fd);
    private static final MethodHandle CLOSE = handle("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

    private RawTcp() {}

    /** What getsockopt answered: an address, or the errno it failed with. */
    public sealed interface OriginalDst {
        record Address(InetSocketAddress address) implements OriginalDst {}

        record Failed(int errno) implements OriginalDst {}
    }

    /** A non-blocking listener of {@code family} on {@code ip:port} (AF_INET6 listeners are dual-stack). */
    public static int listen(int family, String ip, int port) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) SOCKET.invokeExact(state, family, SOCK_STREAM | SOCK_NONBLOCK, 0);
            check(fd, state, "socket");
            try {
                MemorySegment one = arena.allocateFrom(JAVA_INT, 1);
                check(
                        (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_REUSEADDR, one, 4),
                        state,
                        "setsockopt SO_REUSEADDR");
                if (family == AF_INET6) {
                    MemorySegment zero = arena.allocateFrom(JAVA_INT, 0);
                    check(
                            (int) SETSOCKOPT.invokeExact(state, fd, 41, IPV6_V6ONLY, zero, 4),
                            state,
                            "setsockopt IPV6_V6ONLY");
                }
                MemorySegment sa = sockaddr(arena, family, ip, port);
                check((int) BIND.invokeExact(state, fd, sa, (int) sa.byteSize()), state, "bind " + ip + ":" + port);
                check((int) LISTEN.invokeExact(state, fd, 16), state, "listen");
                return fd;
            } catch (RuntimeException e) {
                close(fd);
                throw e;
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Accepts a connection that is already waiting (the listener is non-blocking: none waiting is an error). */
    public static int accept(int listener) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) ACCEPT4.invokeExact(state, listener, MemorySegment.NULL, MemorySegment.NULL, 0);
            if (fd < 0 && errno(state) == EAGAIN)
                throw new IllegalStateException("no connection is waiting on listener fd " + listener);
            check(fd, state, "accept4");
            return fd;
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code getsockopt(fd, level, SO_ORIGINAL_DST / IP6T_SO_ORIGINAL_DST)} with a buffer of the level's sockaddr size. */
    public static OriginalDst originalDst(int fd, int level) {
        int size = level == SOL_IPV6 ? 28 : 16;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(size);
            MemorySegment len = arena.allocateFrom(JAVA_INT, size);
            int rc = (int) GETSOCKOPT.invokeExact(
                    state, fd, level, level == SOL_IPV6 ? IP6T_SO_ORIGINAL_DST : SO_ORIGINAL_DST, buf, len);
            if (rc != 0) return new OriginalDst.Failed(errno(state));
            return new OriginalDst.Address(decode(buf.toArray(ValueLayout.JAVA_BYTE), len.get(JAVA_INT, 0)));
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Calls {@code getsockopt(fd, level, optname)} {@code n} times with one buffer of {@code size} bytes and returns the
     * elapsed nanoseconds (for the steering benchmark; the result of each call is ignored).
     */
    public static long timeGetsockopt(int fd, int level, int optname, int size, int n) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocate(size);
            MemorySegment len = arena.allocate(JAVA_INT);
            long start = System.nanoTime();
            for (int i = 0; i < n; i++) {
                len.set(JAVA_INT, 0, size);
                int ignored = (int) GETSOCKOPT.invokeExact(state, fd, level, optname, buf, len);
            }
            return System.nanoTime() - start;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static void write(int fd, byte[] data) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            long n = (long) WRITE.invokeExact(state, fd, buf, (long) data.length);
            if (n != data.length)
                throw new IllegalStateException("write fd " + fd + ": "
                        + (n < 0 ? "errno " + errno(state) : n + " of " + data.length + " bytes"));
        } catch (RuntimeException e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    public static void close(int fd) {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(CALL_STATE), fd);
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    static InetSocketAddress decode(byte[] sa, int len) {
        ByteBuffer b = ByteBuffer.wrap(sa);
        int family = b.order(ByteOrder.LITTLE_ENDIAN).getShort(0);
        int port = b.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff;
        try {
            if (family == AF_INET && len >= 16) {
                return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(sa, 4, 8)), port);
            }
            if (family == AF_INET6 && len >= 28) {
                // InetAddress turns a v4-mapped address into an Inet4Address, which is what a caller compares with
                return new InetSocketAddress(InetAddress.getByAddress(java.util.Arrays.copyOfRange(sa, 8, 24)), port);
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
        throw new IllegalStateException("getsockopt returned family " + family + " with " + len + " bytes");
    }

    private static MemorySegment sockaddr(Arena arena, int family, String ip, int port) throws UnknownHostException {
        byte[] addr = InetAddress.getByName(ip).getAddress();
        ByteBuffer b = ByteBuffer.allocate(family == AF_INET6 ? 28 : 16);
        b.order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short) family);
        b.order(ByteOrder.BIG_ENDIAN).putShort(2, (short) port);
        if (family == AF_INET6) {
            if (addr.length == 4) { // v4-mapped, so a dual-stack listener can bind an IPv4 address
                byte[] mapped = new byte[16];
                mapped[10] = mapped[11] = (byte) 0xff;
                System.arraycopy(addr, 0, mapped, 12, 4);
                addr = mapped;
            }
            b.put(8, addr);
        } else {
            b.put(4, addr);
        }
        return arena.allocateFrom(ValueLayout.JAVA_BYTE, b.array());
    }

    private static void check(int rc, MemorySegment state, String what) {
        if (rc < 0) throw new IllegalStateException(what + " failed: errno " + errno(state));
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    private static MethodHandle handle(String name, FunctionDescriptor fd) {
        return LINKER.downcallHandle(
                LINKER.defaultLookup().find(name).orElseThrow(), fd, Linker.Option.captureCallState("errno"));
    }
}
