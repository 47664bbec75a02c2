package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.ffm.NativeSupport;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Entry point of the typed eBPF API: load objects, open pinned maps and links, check pin and cgroup paths.
 * {@link #system()} works on the running kernel through libbpf. (Inside the backend, and in its tests, a {@code Bpf} can
 * be made over any implementation of the internal libbpf seam, e.g. a fake; that way in is not part of this API.)
 */
public final class Bpf {
    static {
        BpfSeam.register(new BpfSeam.Bridge() {
            @Override
            public Bpf over(Libbpf libbpf) {
                return Bpf.over(libbpf);
            }

            @Override
            public Libbpf libbpf(Bpf bpf) {
                return bpf.libbpf;
            }
        });
    }

    private final Libbpf libbpf;

    private Bpf(Libbpf libbpf) {
        this.libbpf = libbpf;
    }

    /** The running kernel, through libbpf.so.1. Throws {@link BpfException} naming what is missing. */
    public static Bpf system() {
        return new Bpf(NativeSupport.libbpf());
    }

    /** Over any {@link Libbpf}: for this package, and for the backend and its tests through {@link BpfSeam#over}. */
    static Bpf over(Libbpf libbpf) {
        return new Bpf(libbpf);
    }

    /** Why {@link #system()} cannot work here, or empty when it can. */
    public static Optional<String> unavailability() {
        return NativeSupport.problem();
    }

    /** Opens and loads {@code spec}; see {@link BpfObject#load}. */
    public BpfObject load(ObjectSpec spec, LoadOptions options) {
        return BpfObject.load(libbpf, spec, options);
    }

    public BpfObject load(ObjectSpec spec) {
        return load(spec, LoadOptions.DEFAULTS);
    }

    /** Opens a map pinned at {@code path}; the returned map owns its fd. */
    public BpfMap openPinnedMap(Path path) {
        int fd = libbpf.openPinned(path.toString());
        try {
            MapInfo info = libbpf.mapInfo(fd);
            return new BpfMap(libbpf, info.definition(), fd, true);
        } catch (RuntimeException e) {
            libbpf.closeFd(fd);
            throw new BpfException("pinned object at " + path + " is not a map: " + e.getMessage());
        }
    }

    /**
     * An object an earlier load pinned, opened from its pins without loading anything (no verifier run): its programs
     * from {@code programs}, its maps from {@code maps} (name → pin). The programs can be run, pinned and swapped into
     * links but not attached again through libbpf; closing the object closes the fds it opened.
     */
    public BpfObject openPinnedObject(
            String name, java.util.List<ProgramPin> programs, java.util.Map<String, Path> maps) {
        return BpfObject.openPinned(libbpf, name, programs, maps);
    }

    /** Opens an iterator link pinned at {@code path} ({@link IterLink#pin}), for {@code program}. */
    public IterLink openPinnedIterLink(Path path, String program) {
        return new IterLink(libbpf, libbpf.openLink(path.toString()), program);
    }

    /** Opens a cgroup link pinned at {@code path}. */
    public CgroupLink openPinnedCgroupLink(Path path) {
        return CgroupLink.openPinned(libbpf, path);
    }

    /** Makes the kernel count program runs ({@link ProgramInfo#runCount()}) until the returned handle is closed. */
    public RunStats enableRunStats() {
        int fd = libbpf.enableRunStats();
        return () -> libbpf.closeFd(fd);
    }

    /** Keeps BPF run statistics on while open. */
    public interface RunStats extends AutoCloseable {
        @Override
        void close();
    }

    /** Whether {@code path} exists and is on bpffs. */
    public boolean isOnBpffs(Path path) {
        try {
            return libbpf.filesystemType(path.toString()) == Libbpf.BPF_FS_MAGIC;
        } catch (BpfException e) {
            return false;
        }
    }

    /** Throws unless {@code dir} is a directory on bpffs, where pins can go. */
    public void requirePinDirectory(Path dir) {
        long type;
        try {
            type = libbpf.filesystemType(dir.toString());
        } catch (BpfException e) {
            throw new BpfException("pin directory " + dir + " is not usable: " + e.getMessage()
                    + " (create it on a mounted bpffs, e.g. mount -t bpf bpf /sys/fs/bpf)");
        }
        if (type != Libbpf.BPF_FS_MAGIC) {
            throw new BpfException("pin directory " + dir + " is not on bpffs (filesystem magic 0x"
                    + Long.toHexString(type) + "); pins can only live on a mounted bpffs such as /sys/fs/bpf");
        }
    }

    /** Throws unless {@code dir} is a cgroup-v2 directory. */
    public void requireCgroup2(Path dir) {
        long type;
        try {
            type = libbpf.filesystemType(dir.toString());
        } catch (BpfException e) {
            throw new BpfException("cgroup " + dir + " is not usable: " + e.getMessage());
        }
        if (type != Libbpf.CGROUP2_SUPER_MAGIC) {
            throw new BpfException("cgroup " + dir + " is not a cgroup-v2 directory (filesystem magic 0x"
                    + Long.toHexString(type) + "); find the cgroup2 mount in /proc/mounts");
        }
    }
}
