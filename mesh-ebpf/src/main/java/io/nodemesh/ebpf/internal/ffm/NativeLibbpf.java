package io.nodemesh.ebpf.internal.ffm;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.Libbpf;
import io.nodemesh.ebpf.bpf.LibbpfVersion;
import io.nodemesh.ebpf.bpf.MapDefinition;
import io.nodemesh.ebpf.bpf.MapInfo;
import io.nodemesh.ebpf.bpf.MapType;
import io.nodemesh.ebpf.bpf.ProgramInfo;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.*;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/** The real {@link Libbpf}: FFM downcalls into libbpf.so.1 and libc. Obtain it through {@link NativeSupport}. */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
public final class NativeLibbpf implements Libbpf {
    /** Native memory that lives as long as a libbpf object: its ELF bytes, open opts and verifier log buffer. */
    private record ObjectMemory(Arena arena, MemorySegment logBuffer) {}

    /** A ring buffer's upcall stub lives as long as the ring. */
    private record RingMemory(Arena arena) {}

    private final Map<Long, ObjectMemory> objects = new ConcurrentHashMap<>();
    private final Map<Long, RingMemory> rings = new ConcurrentHashMap<>();

    NativeLibbpf() {
        LibbpfLog.install();
    }

    @Override
    public LibbpfVersion version() {
        try {
            return new LibbpfVersion((int) libbpf_major_version.invokeExact(), (int) libbpf_minor_version.invokeExact());
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    // --- objects ---------------------------------------------------------------------------------------------------

    @Override
    public long openObject(byte[] elf, String name, int logSize, String pinRoot) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment buf = arena.allocate(Math.max(1, elf.length), 8);
            MemorySegment.copy(elf, 0, buf, JAVA_BYTE, 0, elf.length);
            MemorySegment log = arena.allocate(logSize);
            MemorySegment opts = arena.allocate(OPEN_OPTS);
            OPEN_OPTS_SZ.set(opts, 0L, OPEN_OPTS.byteSize());
            OPEN_OPTS_OBJECT_NAME.set(opts, 0L, arena.allocateFrom(name));
            if (!pinRoot.isEmpty()) OPEN_OPTS_PIN_ROOT.set(opts, 0L, arena.allocateFrom(pinRoot));
            OPEN_OPTS_LOG_BUF.set(opts, 0L, log);
            OPEN_OPTS_LOG_SIZE.set(opts, 0L, (long) logSize);
            // Level 0: no log on success; on failure libbpf retries at level 1 into our buffer.
            OPEN_OPTS_LOG_LEVEL.set(opts, 0L, 0);
            MemorySegment errno = arena.allocate(ERRNO_STATE);
            MemorySegment obj = (MemorySegment) bpf_object__open_mem.invokeExact(errno, buf, (long) elf.length, opts);
            if (obj.equals(MemorySegment.NULL)) throw new BpfException("open BPF object " + name, errno(errno));
            objects.put(obj.address(), new ObjectMemory(arena, log));
            return obj.address();
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
    }

    @Override
    public void loadObject(long object) {
        check(call(() -> (int) bpf_object__load.invokeExact(ptr(object))), "load BPF object");
    }

    @Override
    public String verifierLog(long object) {
        ObjectMemory memory = objects.get(object);
        return memory == null ? "" : memory.logBuffer().getString(0);
    }

    @Override
    public String lastFailedProgram() {
        return LibbpfLog.takeFailedProgram();
    }

    @Override
    public void closeObject(long object) {
        ObjectMemory memory = objects.remove(object);
        run(() -> { bpf_object__close.invokeExact(ptr(object)); });
        if (memory != null) memory.arena().close();
    }

    @Override
    public List<Long> programs(long object) {
        List<Long> out = new ArrayList<>();
        MemorySegment p = MemorySegment.NULL;
        while (true) {
            MemorySegment prev = p;
            p = get(() -> (MemorySegment) bpf_object__next_program.invokeExact(ptr(object), prev));
            if (p.equals(MemorySegment.NULL)) return out;
            out.add(p.address());
        }
    }

    @Override
    public List<Long> maps(long object) {
        List<Long> out = new ArrayList<>();
        MemorySegment m = MemorySegment.NULL;
        while (true) {
            MemorySegment prev = m;
            m = get(() -> (MemorySegment) bpf_object__next_map.invokeExact(ptr(object), prev));
            if (m.equals(MemorySegment.NULL)) return out;
            out.add(m.address());
        }
    }

    @Override
    public String programName(long program) {
        return string(get(() -> (MemorySegment) bpf_program__name.invokeExact(ptr(program))));
    }

    @Override
    public String programSection(long program) {
        return string(get(() -> (MemorySegment) bpf_program__section_name.invokeExact(ptr(program))));
    }

    @Override
    public int programType(long program) {
        return call(() -> (int) bpf_program__type.invokeExact(ptr(program)));
    }

    @Override
    public int programFd(long program) {
        int fd = call(() -> (int) bpf_program__fd.invokeExact(ptr(program)));
        return fd < 0 ? -1 : fd;
    }

    @Override
    public MapDefinition mapDefinition(long map) {
        MemorySegment m = ptr(map);
        return new MapDefinition(
                string(get(() -> (MemorySegment) bpf_map__name.invokeExact(m))),
                MapType.of(call(() -> (int) bpf_map__type.invokeExact(m))),
                call(() -> (int) bpf_map__key_size.invokeExact(m)),
                call(() -> (int) bpf_map__value_size.invokeExact(m)),
                call(() -> (int) bpf_map__max_entries.invokeExact(m)));
    }

    @Override
    public int mapFd(long map) {
        int fd = call(() -> (int) bpf_map__fd.invokeExact(ptr(map)));
        return fd < 0 ? -1 : fd;
    }

    @Override
    public void reuseMapFd(long map, int fd) {
        check(call(() -> (int) bpf_map__reuse_fd.invokeExact(ptr(map), fd)), "reuse fd " + fd + " for map");
    }

    // --- fds, pins, info -------------------------------------------------------------------------------------------

    @Override
    public int openPinned(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            return check(call(() -> (int) bpf_obj_get.invokeExact(p)), "open pinned object " + path);
        }
    }

    @Override
    public void pin(int fd, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            check(call(() -> (int) bpf_obj_pin.invokeExact(fd, p)), "pin at " + path);
        }
    }

    @Override
    public void unpin(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment p = a.allocateFrom(path);
            int rc = call(() -> (int) LibcFunctions.unlink.invokeExact(errno, p));
            if (rc < 0 && LibcFunctions.errno(errno) != 2 /* ENOENT */) {
                throw new BpfException("unpin " + path, LibcFunctions.errno(errno));
            }
        }
    }

    @Override
    public long filesystemType(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment buf = a.allocate(LibcFunctions.STATFS_SIZE, 8);
            MemorySegment p = a.allocateFrom(path);
            int rc = call(() -> (int) LibcFunctions.statfs.invokeExact(errno, p, buf));
            if (rc < 0) throw new BpfException("statfs " + path, LibcFunctions.errno(errno));
            return buf.get(JAVA_LONG, 0);
        }
    }

    @Override
    public int openDirectory(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment p = a.allocateFrom(path);
            int flags = LibcFunctions.O_RDONLY | LibcFunctions.O_DIRECTORY | LibcFunctions.O_CLOEXEC;
            int fd = call(() -> (int) LibcFunctions.open.invokeExact(errno, p, flags));
            if (fd < 0) throw new BpfException("open directory " + path, LibcFunctions.errno(errno));
            return fd;
        }
    }

    @Override
    public void closeFd(int fd) {
        if (fd < 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            call(() -> (int) LibcFunctions.close.invokeExact(errno, fd));
        }
    }

    @Override
    public MapInfo mapInfo(int mapFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(MAP_INFO_SIZE, 8);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) MAP_INFO_SIZE);
            check(call(() -> (int) bpf_obj_get_info_by_fd.invokeExact(mapFd, info, len)), "get info of map fd " + mapFd);
            return new MapInfo(info.get(JAVA_INT, MAP_INFO_ID), MapType.of(info.get(JAVA_INT, MAP_INFO_TYPE)),
                    info.get(JAVA_INT, MAP_INFO_KEY_SIZE), info.get(JAVA_INT, MAP_INFO_VALUE_SIZE),
                    info.get(JAVA_INT, MAP_INFO_MAX_ENTRIES), info.asSlice(MAP_INFO_NAME, BPF_OBJ_NAME_LEN).getString(0));
        }
    }

    @Override
    public ProgramInfo programInfo(int programFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(PROG_INFO_SIZE, 8);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) PROG_INFO_SIZE);
            check(call(() -> (int) bpf_obj_get_info_by_fd.invokeExact(programFd, info, len)), "get info of program fd " + programFd);
            return new ProgramInfo(info.get(JAVA_INT, PROG_INFO_ID), info.get(JAVA_INT, PROG_INFO_TYPE),
                    info.asSlice(PROG_INFO_NAME, BPF_OBJ_NAME_LEN).getString(0),
                    info.get(JAVA_LONG, PROG_INFO_RUN_CNT), info.get(JAVA_LONG, PROG_INFO_RUN_TIME_NS));
        }
    }

    @Override
    public int enableRunStats() {
        return check(call(() -> (int) bpf_enable_stats.invokeExact(0 /* BPF_STATS_RUN_TIME */)), "enable BPF run-time stats");
    }

    // --- map operations --------------------------------------------------------------------------------------------

    @Override
    public boolean lookup(int mapFd, byte[] key, byte[] value) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, key);
            MemorySegment v = a.allocate(Math.max(1, value.length), 8);
            int rc = call(() -> (int) bpf_map_lookup_elem.invokeExact(mapFd, k, v));
            if (rc == -2) return false;
            check(rc, "lookup");
            MemorySegment.copy(v, JAVA_BYTE, 0, value, 0, value.length);
            return true;
        }
    }

    @Override
    public void update(int mapFd, byte[] key, byte[] value, long flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, key);
            MemorySegment v = bytes(a, value);
            check(call(() -> (int) bpf_map_update_elem.invokeExact(mapFd, k, v, flags)), "update");
        }
    }

    @Override
    public boolean delete(int mapFd, byte[] key) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, key);
            int rc = call(() -> (int) bpf_map_delete_elem.invokeExact(mapFd, k));
            if (rc == -2) return false;
            check(rc, "delete");
            return true;
        }
    }

    @Override
    public boolean nextKey(int mapFd, byte[] key, byte[] next) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = key == null ? MemorySegment.NULL : bytes(a, key);
            MemorySegment n = a.allocate(Math.max(1, next.length), 8);
            int rc = call(() -> (int) bpf_map_get_next_key.invokeExact(mapFd, k, n));
            if (rc == -2) return false;
            check(rc, "get next key");
            MemorySegment.copy(n, JAVA_BYTE, 0, next, 0, next.length);
            return true;
        }
    }

    @Override
    public void updateBatch(int mapFd, byte[] keys, byte[] values, int count, long flags) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, keys);
            MemorySegment v = bytes(a, values);
            MemorySegment n = a.allocateFrom(JAVA_INT, count);
            MemorySegment opts = batchOpts(a, flags);
            int rc = call(() -> (int) bpf_map_update_batch.invokeExact(mapFd, k, v, n, opts));
            if (rc < 0) {
                throw new BpfException("batch update (" + n.get(JAVA_INT, 0) + " of " + count + " entries written)", -rc);
            }
        }
    }

    @Override
    public int deleteBatch(int mapFd, byte[] keys, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment k = bytes(a, keys);
            MemorySegment n = a.allocateFrom(JAVA_INT, count);
            MemorySegment opts = batchOpts(a, 0);
            int rc = call(() -> (int) bpf_map_delete_batch.invokeExact(mapFd, k, n, opts));
            if (rc < 0 && rc != -2) throw new BpfException("batch delete", -rc);
            return n.get(JAVA_INT, 0);
        }
    }

    @Override
    public int lookupBatch(int mapFd, byte[] in, byte[] out, byte[] keys, byte[] values, int count) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment inSeg = in == null ? MemorySegment.NULL : bytes(a, in);
            MemorySegment outSeg = a.allocate(Math.max(1, out.length), 8);
            MemorySegment k = a.allocate(Math.max(1, keys.length), 8);
            MemorySegment v = a.allocate(Math.max(1, values.length), 8);
            MemorySegment n = a.allocateFrom(JAVA_INT, count);
            MemorySegment opts = batchOpts(a, 0);
            int rc = call(() -> (int) bpf_map_lookup_batch.invokeExact(mapFd, inSeg, outSeg, k, v, n, opts));
            if (rc < 0 && rc != -2) throw new BpfException("batch lookup", -rc);
            int read = n.get(JAVA_INT, 0);
            MemorySegment.copy(k, JAVA_BYTE, 0, keys, 0, keys.length);
            MemorySegment.copy(v, JAVA_BYTE, 0, values, 0, values.length);
            MemorySegment.copy(outSeg, JAVA_BYTE, 0, out, 0, out.length);
            return rc == -2 ? -(read + 1) : read; // ENOENT: the map ended with this batch
        }
    }

    // --- attachment ------------------------------------------------------------------------------------------------

    @Override
    public long attachCgroup(long program, int cgroupFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(ERRNO_STATE);
            MemorySegment link = get(() -> (MemorySegment) bpf_program__attach_cgroup.invokeExact(errno, ptr(program), cgroupFd));
            if (link.equals(MemorySegment.NULL)) throw new BpfException("attach program to cgroup", errno(errno));
            return link.address();
        }
    }

    @Override
    public void attachProgram(int programFd, int targetFd, int attachType, int flags) {
        check(call(() -> (int) bpf_prog_attach.invokeExact(programFd, targetFd, attachType, flags)), "attach program");
    }

    @Override
    public void detachProgram(int programFd, int targetFd, int attachType) {
        check(call(() -> (int) bpf_prog_detach2.invokeExact(programFd, targetFd, attachType)), "detach program");
    }

    @Override
    public int linkFd(long link) {
        return call(() -> (int) bpf_link__fd.invokeExact(ptr(link)));
    }

    @Override
    public void pinLink(long link, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            check(call(() -> (int) bpf_link__pin.invokeExact(ptr(link), p)), "pin link at " + path);
        }
    }

    @Override
    public void unpinLink(long link) {
        check(call(() -> (int) bpf_link__unpin.invokeExact(ptr(link))), "unpin link");
    }

    @Override
    public long openLink(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(ERRNO_STATE);
            MemorySegment p = a.allocateFrom(path);
            MemorySegment link = get(() -> (MemorySegment) bpf_link__open.invokeExact(errno, p));
            if (link.equals(MemorySegment.NULL)) throw new BpfException("open pinned link " + path, errno(errno));
            return link.address();
        }
    }

    @Override
    public void updateLink(long link, long program) {
        check(call(() -> (int) bpf_link__update_program.invokeExact(ptr(link), ptr(program))), "update link program");
    }

    @Override
    public void disconnectLink(long link) {
        run(() -> { bpf_link__disconnect.invokeExact(ptr(link)); });
        destroyLink(link);
    }

    @Override
    public void destroyLink(long link) {
        check(call(() -> (int) bpf_link__destroy.invokeExact(ptr(link))), "destroy link");
    }

    // --- iterators -------------------------------------------------------------------------------------------------

    @Override
    public long attachIter(long program) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(ERRNO_STATE);
            MemorySegment link = get(() -> (MemorySegment) bpf_program__attach_iter.invokeExact(errno, ptr(program), MemorySegment.NULL));
            if (link.equals(MemorySegment.NULL)) throw new BpfException("attach iterator program", errno(errno));
            return link.address();
        }
    }

    @Override
    public byte[] runIter(long link, String netnsPath) {
        if (netnsPath.isEmpty()) return readIter(link);
        return inNetns(netnsPath, "nodemesh-netns-iter", "running an iterator in", () -> readIter(link));
    }

    private byte[] readIter(long link) {
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
            closeFd(iterFd);
        }
    }

    /**
     * Runs {@code work} in the network namespace at {@code netnsPath} and returns its result. setns changes the calling
     * thread only, so it runs on a fresh platform thread that ends right after: no thread is left in the namespace.
     * {@code doing} names the work in the error if the wait is interrupted.
     */
    private <T> T inNetns(String netnsPath, String threadName, String doing, Supplier<T> work) {
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

    private void enterNetns(String netnsPath) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            int nsFd = openDirectoryOrFile(a, errno, netnsPath);
            try {
                int rc = call(() -> (int) LibcFunctions.setns.invokeExact(errno, nsFd, LibcFunctions.CLONE_NEWNET));
                if (rc < 0) throw new BpfException("enter network namespace " + netnsPath, LibcFunctions.errno(errno));
            } finally {
                closeFd(nsFd);
            }
        }
    }

    // --- ring buffers ----------------------------------------------------------------------------------------------

    private static final MethodHandle RING_SAMPLE;

    static {
        try {
            RING_SAMPLE = MethodHandles.lookup().findStatic(NativeLibbpf.class, "ringSample",
                    MethodType.methodType(int.class, Consumer.class, MemorySegment.class, MemorySegment.class, long.class));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The upcall: copy the record out (the kernel's slot is released when we return) and hand it on. */
    @SuppressWarnings("unchecked")
    private static int ringSample(Consumer<byte[]> sink, MemorySegment ctx, MemorySegment data, long size) {
        try {
            sink.accept(data.reinterpret(size).toArray(JAVA_BYTE));
        } catch (RuntimeException e) {
            // An exception must never unwind into native code: the record is counted as consumed and dropped.
            System.getLogger(NativeLibbpf.class.getName()).log(System.Logger.Level.WARNING, "ring buffer consumer failed", e);
        }
        return 0;
    }

    @Override
    public long openRing(int mapFd, Consumer<byte[]> sink) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment stub = LINKER.upcallStub(RING_SAMPLE.bindTo(sink), RING_SAMPLE_FN, arena);
            MemorySegment errno = arena.allocate(ERRNO_STATE);
            MemorySegment rb = (MemorySegment) ring_buffer__new.invokeExact(errno, mapFd, stub, MemorySegment.NULL, MemorySegment.NULL);
            if (rb.equals(MemorySegment.NULL)) throw new BpfException("open ring buffer on map fd " + mapFd, errno(errno));
            rings.put(rb.address(), new RingMemory(arena));
            return rb.address();
        } catch (Throwable t) {
            arena.close();
            throw rethrow(t);
        }
    }

    @Override
    public int pollRing(long ring, int timeoutMillis) {
        int rc = call(() -> (int) ring_buffer__poll.invokeExact(ptr(ring), timeoutMillis));
        if (rc == -4) return 0; // EINTR: a signal, not an error
        return check(rc, "poll ring buffer");
    }

    @Override
    public void closeRing(long ring) {
        RingMemory memory = rings.remove(ring);
        run(() -> { ring_buffer__free.invokeExact(ptr(ring)); });
        if (memory != null) memory.arena().close();
    }

    // --- system ----------------------------------------------------------------------------------------------------

    @Override
    public void mountBpffs(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment src = a.allocateFrom("bpf");
            MemorySegment target = a.allocateFrom(path);
            int rc = call(() -> (int) LibcFunctions.mount.invokeExact(errno, src, target, src, 0L, MemorySegment.NULL));
            if (rc < 0) throw new BpfException("mount bpffs at " + path, LibcFunctions.errno(errno));
        }
    }

    @Override
    public long netnsCookie(String netnsPath) {
        return inNetns(netnsPath, "nodemesh-netns-cookie", "reading the netns cookie of",
                () -> netnsCookieOnThisThread(netnsPath));
    }

    /** Call on a thread already in the namespace (see {@link #inNetns}). */
    private long netnsCookieOnThisThread(String netnsPath) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            int sock = call(() -> (int) LibcFunctions.socket.invokeExact(errno, LibcFunctions.AF_INET, LibcFunctions.SOCK_STREAM, 0));
            if (sock < 0) throw new BpfException("socket in " + netnsPath, LibcFunctions.errno(errno));
            try {
                MemorySegment cookie = a.allocate(JAVA_LONG);
                MemorySegment len = a.allocateFrom(JAVA_INT, 8);
                int rc = call(() -> (int) LibcFunctions.getsockopt.invokeExact(errno, sock, LibcFunctions.SOL_SOCKET,
                        LibcFunctions.SO_NETNS_COOKIE, cookie, len));
                if (rc < 0) throw new BpfException("getsockopt(SO_NETNS_COOKIE) in " + netnsPath, LibcFunctions.errno(errno));
                return cookie.get(JAVA_LONG, 0);
            } finally {
                closeFd(sock);
            }
        }
    }

    private int openDirectoryOrFile(Arena a, MemorySegment errno, String path) {
        MemorySegment p = a.allocateFrom(path);
        int fd = call(() -> (int) LibcFunctions.open.invokeExact(errno, p, LibcFunctions.O_RDONLY | LibcFunctions.O_CLOEXEC));
        if (fd < 0) throw new BpfException("open " + path, LibcFunctions.errno(errno));
        return fd;
    }

    // --- helpers ---------------------------------------------------------------------------------------------------

    private static MemorySegment ptr(long address) {
        return MemorySegment.ofAddress(address);
    }

    private static MemorySegment bytes(Arena a, byte[] data) {
        MemorySegment s = a.allocate(Math.max(1, data.length), 8);
        MemorySegment.copy(data, 0, s, JAVA_BYTE, 0, data.length);
        return s;
    }

    private static MemorySegment batchOpts(Arena a, long elemFlags) {
        MemorySegment opts = a.allocate(BATCH_OPTS);
        BATCH_OPTS_SZ.set(opts, 0L, BATCH_OPTS.byteSize());
        BATCH_OPTS_ELEM_FLAGS.set(opts, 0L, elemFlags);
        return opts;
    }

    private static String string(MemorySegment cString) {
        return cString.equals(MemorySegment.NULL) ? "" : cString.getString(0, StandardCharsets.UTF_8);
    }

    private static int check(int rc, String what) {
        if (rc < 0) throw new BpfException(what, -rc);
        return rc;
    }

    @FunctionalInterface
    private interface IntCall {
        int call() throws Throwable;
    }

    @FunctionalInterface
    private interface SegmentCall {
        MemorySegment call() throws Throwable;
    }

    @FunctionalInterface
    private interface VoidCall {
        void call() throws Throwable;
    }

    private static int call(IntCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    @FunctionalInterface
    private interface LongCall {
        long call() throws Throwable;
    }

    private static long callLong(LongCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static MemorySegment get(SegmentCall c) {
        try {
            return c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static void run(VoidCall c) {
        try {
            c.call();
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException("native call failed", t);
    }
}
