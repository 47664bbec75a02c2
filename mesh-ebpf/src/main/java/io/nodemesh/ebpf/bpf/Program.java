package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.file.Path;

/** A loaded program of a {@link BpfObject}. Valid while its object is open. */
public final class Program {
    /** {@code enum bpf_prog_type} values nodemesh attaches. */
    public static final int TYPE_SOCK_OPS = 13, TYPE_SK_MSG = 16, TYPE_CGROUP_SOCK_ADDR = 18, TYPE_CGROUP_SOCKOPT = 25;

    private final Libbpf libbpf;
    private final String name;
    private final String section;
    private final long handle;
    private final int type;
    private final int fd;

    Program(Libbpf libbpf, String name, String section, long handle, int type, int fd) {
        this.libbpf = libbpf;
        this.name = name;
        this.section = section;
        this.handle = handle;
        this.type = type;
        this.fd = fd;
    }

    public String name() {
        return name;
    }

    /** The ELF section, e.g. {@code sockops} or {@code cgroup/connect4}. */
    public String section() {
        return section;
    }

    /** {@code enum bpf_prog_type}. */
    public int type() {
        return type;
    }

    public int fd() {
        return fd;
    }

    /** libbpf's {@code struct bpf_program *}; a program opened from a pin has none. */
    long handle() {
        if (handle == 0)
            throw new BpfException("program " + name + " was opened from a pin, not loaded: it is attached through"
                    + " its pinned link, not again through libbpf");
        return handle;
    }

    /** What the kernel says about this program now, run counters included. */
    public ProgramInfo info() {
        return libbpf.programInfo(fd);
    }

    /**
     * Attaches to a cgroup-v2 directory with a kernel link ({@code bpf_program__attach_cgroup}); the attach type comes
     * from the program's section. The cgroup is checked first; on failure nothing is attached.
     */
    public CgroupLink attach(CgroupAttach options) {
        Bpf.over(libbpf).requireCgroup2(options.cgroup());
        int cgroupFd = libbpf.openDirectory(options.cgroup().toString());
        try {
            long link;
            try {
                link = libbpf.attachCgroup(handle(), cgroupFd);
            } catch (BpfException e) {
                throw new BpfException(
                        "attach program " + name + " (" + section + ") to cgroup " + options.cgroup() + ": "
                                + e.getMessage(),
                        e.errno(),
                        true);
            }
            return new CgroupLink(libbpf, link, name, options.cgroup(), null);
        } finally {
            libbpf.closeFd(cgroupFd);
        }
    }

    /**
     * Attaches this {@code sk_msg} program to a SOCKHASH/SOCKMAP ({@code bpf_prog_attach}, {@code BPF_SK_MSG_VERDICT}).
     * The attachment belongs to the map: it lasts as long as the map does (pinned maps keep it across restarts).
     */
    public SkMsgLink attach(SkMsgAttach options) {
        BpfMap map = options.sockMap();
        if (map.type() != MapType.SOCKHASH && map.type() != MapType.SOCKMAP) {
            throw new BpfException("attach program " + name + " to map " + map.name()
                    + ": sk_msg attaches to a SOCKHASH or SOCKMAP, not " + map.type());
        }
        try {
            libbpf.attachProgram(fd, map.fd(), SkMsgLink.BPF_SK_MSG_VERDICT, 0);
        } catch (BpfException e) {
            throw new BpfException(
                    "attach program " + name + " to map " + map.name() + ": " + e.getMessage(), e.errno(), true);
        }
        return new SkMsgLink(libbpf, name, fd, map);
    }

    /**
     * Makes an iterator link for this {@code iter/...} program ({@code bpf_program__attach_iter}); iterators are then
     * created and read with {@link IterLink#run}. No options: nodemesh's iterators take no per-link parameters.
     */
    public IterLink attachIterator() {
        try {
            return new IterLink(libbpf, libbpf.attachIter(handle()), name);
        } catch (BpfException e) {
            throw new BpfException(
                    "attach iterator program " + name + " (" + section + "): " + e.getMessage(), e.errno(), true);
        }
    }

    /** Pins the program itself (not an attachment). */
    public void pin(Path path) {
        Bpf.over(libbpf).requirePinDirectory(path.getParent());
        try {
            libbpf.pin(fd, path.toString());
        } catch (BpfException e) {
            throw new BpfException("pin program " + name + " at " + path + ": " + e.getMessage(), e.errno(), true);
        }
    }

    @Override
    public String toString() {
        return "Program[" + name + " " + section + " fd " + fd + "]";
    }
}
