package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * An iterator program's link ({@code bpf_program__attach_iter}): attached to no hook, it is what iterators are created
 * from. Each {@link #run} creates one, reads it to the end (the program runs once per object while it is read) and
 * closes it. Closing an unpinned link detaches it; a pinned one ({@link #pin}) lives on for the next agent.
 */
public final class IterLink implements Link {
    private final Libbpf libbpf;
    private final long handle;
    private final String program;
    private boolean closed;

    IterLink(Libbpf libbpf, long handle, String program) {
        this.libbpf = libbpf;
        this.handle = handle;
        this.program = program;
    }

    @Override
    public String program() {
        return program;
    }

    /**
     * Runs the iterator in the network namespace at {@code netns} (empty: this process's) — socket iterators walk the
     * sockets of the namespace they were created in — and returns what the program printed.
     */
    public synchronized String run(Optional<Path> netns) {
        if (closed) throw new IllegalStateException("iterator link of " + program + " closed");
        try {
            byte[] out = libbpf.runIter(handle, netns.map(Path::toString).orElse(""));
            return new String(out, StandardCharsets.UTF_8);
        } catch (BpfException e) {
            throw new BpfException(
                    "run iterator " + program + netns.map(p -> " in " + p).orElse("") + ": " + e.getMessage(),
                    e.errno(),
                    true);
        }
    }

    /** Pins the link at {@code path}: it outlives this process ({@link Bpf#openPinnedIterLink} opens it again). */
    public synchronized void pin(Path path) {
        if (closed) throw new IllegalStateException("iterator link of " + program + " closed");
        try {
            libbpf.pinLink(handle, path.toString());
        } catch (BpfException e) {
            throw new BpfException(
                    "pin iterator link of " + program + " at " + path + ": " + e.getMessage(), e.errno(), true);
        }
    }

    @Override
    public void detach() {
        close();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        libbpf.destroyLink(handle);
    }

    @Override
    public String toString() {
        return "IterLink[" + program + "]";
    }
}
