package io.nodemesh.ebpf.internal.ffm;

import static io.nodemesh.ebpf.internal.ffm.LibbpfFunctions.*;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.call;
import static io.nodemesh.ebpf.internal.ffm.NativeCalls.check;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.MapInfo;
import io.nodemesh.ebpf.bpf.MapType;
import io.nodemesh.ebpf.bpf.ProgramInfo;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/** Kernel file descriptors: pins on bpffs, opening and closing fds, what the kernel says about a map or program fd. */
@SuppressWarnings("restricted") // the whole point of this package; access is checked by NativeSupport
final class NativeFds {
    private NativeFds() {}

    static int openPinned(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            return check(call(() -> (int) bpf_obj_get.invokeExact(p)), "open pinned object " + path);
        }
    }

    static void pin(int fd, String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment p = a.allocateFrom(path);
            check(call(() -> (int) bpf_obj_pin.invokeExact(fd, p)), "pin at " + path);
        }
    }

    static void unpin(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment p = a.allocateFrom(path);
            int rc = call(() -> (int) LibcFunctions.unlink.invokeExact(errno, p));
            if (rc < 0 && LibcFunctions.errno(errno) != 2 /* ENOENT */) {
                throw new BpfException("unpin " + path, LibcFunctions.errno(errno));
            }
        }
    }

    static int openDirectory(String path) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            MemorySegment p = a.allocateFrom(path);
            int flags = LibcFunctions.O_RDONLY | LibcFunctions.O_DIRECTORY | LibcFunctions.O_CLOEXEC;
            int fd = call(() -> (int) LibcFunctions.open.invokeExact(errno, p, flags));
            if (fd < 0) throw new BpfException("open directory " + path, LibcFunctions.errno(errno));
            return fd;
        }
    }

    static void closeFd(int fd) {
        if (fd < 0) return;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment errno = a.allocate(LibcFunctions.ERRNO_STATE);
            call(() -> (int) LibcFunctions.close.invokeExact(errno, fd));
        }
    }

    static MapInfo mapInfo(int mapFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(MAP_INFO_SIZE, 8);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) MAP_INFO_SIZE);
            check(
                    call(() -> (int) bpf_obj_get_info_by_fd.invokeExact(mapFd, info, len)),
                    "get info of map fd " + mapFd);
            return new MapInfo(
                    info.get(JAVA_INT, MAP_INFO_ID),
                    MapType.of(info.get(JAVA_INT, MAP_INFO_TYPE)),
                    info.get(JAVA_INT, MAP_INFO_KEY_SIZE),
                    info.get(JAVA_INT, MAP_INFO_VALUE_SIZE),
                    info.get(JAVA_INT, MAP_INFO_MAX_ENTRIES),
                    info.asSlice(MAP_INFO_NAME, BPF_OBJ_NAME_LEN).getString(0));
        }
    }

    static ProgramInfo programInfo(int programFd) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment info = a.allocate(PROG_INFO_SIZE, 8);
            MemorySegment len = a.allocateFrom(JAVA_INT, (int) PROG_INFO_SIZE);
            check(
                    call(() -> (int) bpf_obj_get_info_by_fd.invokeExact(programFd, info, len)),
                    "get info of program fd " + programFd);
            return new ProgramInfo(
                    info.get(JAVA_INT, PROG_INFO_ID),
                    info.get(JAVA_INT, PROG_INFO_TYPE),
                    info.asSlice(PROG_INFO_NAME, BPF_OBJ_NAME_LEN).getString(0),
                    info.get(JAVA_LONG, PROG_INFO_RUN_CNT),
                    info.get(JAVA_LONG, PROG_INFO_RUN_TIME_NS));
        }
    }

    static int enableRunStats() {
        return check(
                call(() -> (int) bpf_enable_stats.invokeExact(0 /* BPF_STATS_RUN_TIME */)),
                "enable BPF run-time stats");
    }
}
