package io.nodemesh.ebpf.internal.seam;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.LibbpfVersion;
import io.nodemesh.ebpf.bpf.MapDefinition;
import io.nodemesh.ebpf.bpf.MapInfo;
import io.nodemesh.ebpf.bpf.ProgramInfo;
import java.util.List;
import java.util.function.Consumer;

/**
 * The one seam between the typed API and the kernel: every libbpf call and raw syscall the typed API makes goes
 * through here. {@link Bpf#system()} uses the FFM implementation over {@code libbpf.so.1}; tests substitute a fake
 * ({@link BpfSeam#over}) so the logic above is exercised without root. Not exported: it is the backend's inside, and
 * the exported {@code Bpf} never shows it.
 * <p>
 * Handles are opaque: {@code long} for libbpf objects (a {@code struct bpf_object *}, {@code bpf_program *},
 * {@code bpf_map *}, {@code bpf_link *}, {@code ring_buffer *}), {@code int} for kernel file descriptors. Every failure
 * is a {@link BpfException} carrying the errno; nothing here returns error codes.
 */
public interface Libbpf {
    /** {@code libbpf_major_version()}/{@code libbpf_minor_version()}. */
    LibbpfVersion version();

    // --- objects -----------------------------------------------------------------------------------------------

    /**
     * Opens an ELF object from memory; the verifier log of a failed load goes to a buffer of {@code logSize} bytes;
     * {@code pinRoot} (empty = libbpf's default) is where maps declared {@code LIBBPF_PIN_BY_NAME} are pinned/reused.
     */
    long openObject(byte[] elf, String name, int logSize, String pinRoot);

    /** Loads every program and creates every map not already given an fd by {@link #reuseMapFd}. */
    void loadObject(long object);

    /** The verifier log captured for {@code object} (empty when nothing was logged). */
    String verifierLog(long object);

    /** The program whose load failed last on this thread, if libbpf said (empty otherwise). */
    default String lastFailedProgram() {
        return "";
    }

    void closeObject(long object);

    List<Long> programs(long object);

    List<Long> maps(long object);

    String programName(long program);

    String programSection(long program);

    int programType(long program);

    /** The program's fd once loaded, or -1. */
    int programFd(long program);

    /** The map's definition as declared in the object. */
    MapDefinition mapDefinition(long map);

    /** The map's fd once created or reused, or -1. */
    int mapFd(long map);

    /**
     * {@code bpf_map__set_max_entries}: the size {@code map} is created with at load (between open and load; a map
     * reused from a pin keeps the pinned size).
     */
    void setMaxEntries(long map, int entries);

    /** Makes {@code map} use the existing kernel map {@code fd} instead of creating one at load (for pinned maps). */
    void reuseMapFd(long map, int fd);

    // --- fds, pins, info ---------------------------------------------------------------------------------------

    /** {@code bpf_obj_get}: opens a pinned map, program or link. */
    int openPinned(String path);

    /** {@code bpf_obj_pin}. */
    void pin(int fd, String path);

    /** Removes a pin (a file on bpffs). Missing is not an error. */
    void unpin(String path);

    /** The filesystem magic of {@code path} ({@code statfs.f_type}); {@link #BPF_FS_MAGIC} for bpffs. */
    long filesystemType(String path);

    long BPF_FS_MAGIC = 0xcafe4a11L;
    long CGROUP2_SUPER_MAGIC = 0x63677270L;

    /** Opens a directory read-only (a cgroup, for attaching). */
    int openDirectory(String path);

    void closeFd(int fd);

    MapInfo mapInfo(int mapFd);

    ProgramInfo programInfo(int programFd);

    /**
     * {@code bpf_enable_stats(BPF_STATS_RUN_TIME)}: program run counters count while the returned fd is open (like
     * {@code sysctl kernel.bpf_stats_enabled=1}, but undone when the fd closes).
     */
    int enableRunStats();

    // --- map operations ----------------------------------------------------------------------------------------

    /** True and fills {@code value} when {@code key} is present. */
    boolean lookup(int mapFd, byte[] key, byte[] value);

    void update(int mapFd, byte[] key, byte[] value, long flags);

    /** True when the key was present. */
    boolean delete(int mapFd, byte[] key);

    /** The key after {@code key} ({@code null} = the first); false at the end. */
    boolean nextKey(int mapFd, byte[] key, byte[] next);

    /** {@code bpf_map_update_batch}: {@code count} keys and values laid end to end. */
    void updateBatch(int mapFd, byte[] keys, byte[] values, int count, long flags);

    /** {@code bpf_map_delete_batch}; returns how many were deleted before the first missing key stopped it. */
    int deleteBatch(int mapFd, byte[] keys, int count);

    /**
     * One step of {@code bpf_map_lookup_batch}: reads up to {@code count} entries into {@code keys}/{@code values}
     * starting after the opaque cursor {@code in} ({@code null} = from the start), writing the next cursor to
     * {@code out} (both {@code key_size} bytes). Returns the number read, or -(n+1) when the map ended after n.
     */
    int lookupBatch(int mapFd, byte[] in, byte[] out, byte[] keys, byte[] values, int count);

    // --- attachment --------------------------------------------------------------------------------------------

    /** {@code bpf_program__attach_cgroup}: returns a link handle. */
    long attachCgroup(long program, int cgroupFd);

    /** {@code bpf_prog_attach}. */
    void attachProgram(int programFd, int targetFd, int attachType, int flags);

    /** {@code bpf_prog_detach2}. */
    void detachProgram(int programFd, int targetFd, int attachType);

    int linkFd(long link);

    void pinLink(long link, String path);

    void unpinLink(long link);

    /** {@code bpf_link__open}: a link handle for a pinned link. */
    long openLink(String path);

    /** {@code bpf_link__update_program}: atomically swaps the program behind a link (the hook never goes empty). */
    void updateLink(long link, long program);

    /** Frees the handle and leaves the attachment in place (it lives on while pinned). */
    void disconnectLink(long link);

    /** {@code bpf_link__destroy}: frees the handle; detaches unless disconnected or pinned. */
    void destroyLink(long link);

    // --- ring buffers ------------------------------------------------------------------------------------------

    /** {@code ring_buffer__new}: {@code sink} receives a copy of each record on the thread calling {@link #pollRing}. */
    long openRing(int mapFd, Consumer<byte[]> sink);

    /** {@code ring_buffer__poll}: the number of records consumed (0 on timeout). */
    int pollRing(long ring, int timeoutMillis);

    void closeRing(long ring);

    // --- iterators -----------------------------------------------------------------------------------------------

    /** {@code bpf_program__attach_iter(program, NULL)}: a link iterators are created from (not attached to any hook). */
    default long attachIter(long program) {
        throw new BpfException(
                "BPF iterators are not supported by " + getClass().getSimpleName());
    }

    /**
     * {@code bpf_iter_create(link fd)} made inside the network namespace at {@code netnsPath} (empty: the caller's; socket
     * iterators walk the namespace their iterator was created in), read to the end and closed: what the program wrote.
     */
    default byte[] runIter(long link, String netnsPath) {
        throw new BpfException(
                "BPF iterators are not supported by " + getClass().getSimpleName());
    }

    // --- system ------------------------------------------------------------------------------------------------

    /** Mounts bpffs at {@code path} (which must exist). */
    void mountBpffs(String path);

    /**
     * The cookie of the network namespace at {@code netnsPath} (e.g. {@code /var/run/netns/pod-a}), as
     * {@code bpf_get_netns_cookie} sees it: read with {@code getsockopt(SO_NETNS_COOKIE)} on a socket made inside it.
     */
    long netnsCookie(String netnsPath);
}
