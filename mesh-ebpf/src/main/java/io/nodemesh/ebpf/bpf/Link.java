package io.nodemesh.ebpf.bpf;

/**
 * A program's attachment. {@link #close()} releases this process's handle: an unpinned kernel link then detaches, a
 * pinned one stays. {@link #detach()} removes the attachment for good, pin included.
 */
public sealed interface Link extends AutoCloseable permits CgroupLink, SkMsgLink, IterLink {
    /** The attached program's name. */
    String program();

    /** Removes the attachment (and its pin, if any). */
    void detach();

    @Override
    void close();
}
