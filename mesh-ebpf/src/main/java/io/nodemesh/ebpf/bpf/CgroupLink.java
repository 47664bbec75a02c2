package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.file.Path;
import java.util.Optional;

/** A program attached to a cgroup through a kernel link ({@code BPF_LINK_TYPE_CGROUP}); pinnable. */
public final class CgroupLink implements Link {
    private final Libbpf libbpf;
    private final long handle;
    private final String program;
    private final Path cgroup;
    private Path pin;
    private boolean closed;

    CgroupLink(Libbpf libbpf, long handle, String program, Path cgroup, Path pin) {
        this.libbpf = libbpf;
        this.handle = handle;
        this.program = program;
        this.cgroup = cgroup;
        this.pin = pin;
    }

    static CgroupLink openPinned(Libbpf libbpf, Path path) {
        long handle = libbpf.openLink(path.toString());
        return new CgroupLink(libbpf, handle, "", null, path);
    }

    @Override
    public String program() {
        return program;
    }

    /** The cgroup it was attached to by this process (empty for a link reopened from a pin). */
    public Optional<Path> cgroup() {
        return Optional.ofNullable(cgroup);
    }

    public Optional<Path> pinPath() {
        return Optional.ofNullable(pin);
    }

    public int fd() {
        return libbpf.linkFd(handle);
    }

    /** Swaps {@code replacement} in as the attached program, atomically: the hook never runs without a program. */
    public void update(Program replacement) {
        try {
            libbpf.updateLink(handle, replacement.handle());
        } catch (BpfException e) {
            throw new BpfException(
                    "update link " + (pin == null ? "" : pin + " ") + "to program " + replacement.name() + ": "
                            + e.getMessage(),
                    e.errno(),
                    true);
        }
    }

    /** Pins the link so the attachment outlives this process. */
    public void pin(Path path) {
        Bpf.over(libbpf).requirePinDirectory(path.getParent());
        try {
            libbpf.pinLink(handle, path.toString());
        } catch (BpfException e) {
            throw new BpfException(
                    "pin link of program " + program + " at " + path + ": " + e.getMessage(), e.errno(), true);
        }
        pin = path;
    }

    /** Removes the pin; the attachment then ends when this handle is closed. */
    public void unpin() {
        if (pin == null) return;
        libbpf.unpin(pin.toString());
        pin = null;
    }

    @Override
    public void detach() {
        if (closed) return;
        unpin();
        close();
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        // A pinned link keeps the attachment whatever we do with our fd; an unpinned one detaches here.
        libbpf.destroyLink(handle);
    }

    @Override
    public String toString() {
        return "CgroupLink[" + program + (cgroup == null ? "" : " at " + cgroup) + (pin == null ? "" : " pinned " + pin)
                + "]";
    }
}
