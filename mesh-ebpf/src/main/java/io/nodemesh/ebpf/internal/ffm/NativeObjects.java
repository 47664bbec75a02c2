package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.*;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.call;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.check;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.get;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.ptr;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.rethrow;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.run;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.string;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.MapDefinition;
import io.nodemesh.ebpf.bpf.MapType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * libbpf objects: opening an ELF from memory, loading it, walking its programs and maps, closing it. Holds the native
 * memory each open object needs for as long as it is open.
 */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class NativeObjects {
    /** Native memory that lives as long as a libbpf object: its ELF bytes, open opts and verifier log buffer. */
    private record ObjectMemory(Arena arena, MemorySegment logBuffer) {}

    private final Map<Long, ObjectMemory> objects = new ConcurrentHashMap<>();

    long openObject(byte[] elf, String name, int logSize, String pinRoot) {
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

    void loadObject(long object) {
        check(call(() -> (int) bpf_object__load.invokeExact(ptr(object))), "load BPF object");
    }

    String verifierLog(long object) {
        ObjectMemory memory = objects.get(object);
        return memory == null ? "" : memory.logBuffer().getString(0);
    }

    String lastFailedProgram() {
        return LibbpfLog.takeFailedProgram();
    }

    void closeObject(long object) {
        ObjectMemory memory = objects.remove(object);
        run(() -> {
            bpf_object__close.invokeExact(ptr(object));
        });
        if (memory != null) memory.arena().close();
    }

    List<Long> programs(long object) {
        List<Long> out = new ArrayList<>();
        MemorySegment p = MemorySegment.NULL;
        while (true) {
            MemorySegment prev = p;
            p = get(() -> (MemorySegment) bpf_object__next_program.invokeExact(ptr(object), prev));
            if (p.equals(MemorySegment.NULL)) return out;
            out.add(p.address());
        }
    }

    List<Long> maps(long object) {
        List<Long> out = new ArrayList<>();
        MemorySegment m = MemorySegment.NULL;
        while (true) {
            MemorySegment prev = m;
            m = get(() -> (MemorySegment) bpf_object__next_map.invokeExact(ptr(object), prev));
            if (m.equals(MemorySegment.NULL)) return out;
            out.add(m.address());
        }
    }

    // --- programs and maps of an object ------------------------------------------------------------------------------

    static String programName(long program) {
        return string(get(() -> (MemorySegment) bpf_program__name.invokeExact(ptr(program))));
    }

    static String programSection(long program) {
        return string(get(() -> (MemorySegment) bpf_program__section_name.invokeExact(ptr(program))));
    }

    static int programType(long program) {
        return call(() -> (int) bpf_program__type.invokeExact(ptr(program)));
    }

    static int programFd(long program) {
        int fd = call(() -> (int) bpf_program__fd.invokeExact(ptr(program)));
        return fd < 0 ? -1 : fd;
    }

    static MapDefinition mapDefinition(long map) {
        MemorySegment m = ptr(map);
        return new MapDefinition(
                string(get(() -> (MemorySegment) bpf_map__name.invokeExact(m))),
                MapType.of(call(() -> (int) bpf_map__type.invokeExact(m))),
                call(() -> (int) bpf_map__key_size.invokeExact(m)),
                call(() -> (int) bpf_map__value_size.invokeExact(m)),
                call(() -> (int) bpf_map__max_entries.invokeExact(m)));
    }

    static int mapFd(long map) {
        int fd = call(() -> (int) bpf_map__fd.invokeExact(ptr(map)));
        return fd < 0 ? -1 : fd;
    }

    static void setMaxEntries(long map, int entries) {
        check(
                call(() -> (int) bpf_map__set_max_entries.invokeExact(ptr(map), entries)),
                "set max_entries " + entries + " of map " + mapDefinition(map).name());
    }

    static void reuseMapFd(long map, int fd) {
        check(call(() -> (int) bpf_map__reuse_fd.invokeExact(ptr(map), fd)), "reuse fd " + fd + " for map");
    }
}
