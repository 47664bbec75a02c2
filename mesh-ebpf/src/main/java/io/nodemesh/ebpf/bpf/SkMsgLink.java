package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;

/**
 * An {@code sk_msg} program attached to a sock map with {@code bpf_prog_attach}. There is no kernel link object: the
 * attachment belongs to the map and lasts as long as it does, so {@link #close()} leaves it and {@link #detach()} ends it.
 */
public final class SkMsgLink implements Link {
    static final int BPF_SK_MSG_VERDICT = 7;

    private final Libbpf libbpf;
    private final String program;
    private final int programFd;
    private final BpfMap map;

    SkMsgLink(Libbpf libbpf, String program, int programFd, BpfMap map) {
        this.libbpf = libbpf;
        this.program = program;
        this.programFd = programFd;
        this.map = map;
    }

    @Override
    public String program() {
        return program;
    }

    public BpfMap map() {
        return map;
    }

    @Override
    public void detach() {
        libbpf.detachProgram(programFd, map.fd(), BPF_SK_MSG_VERDICT);
    }

    @Override
    public void close() {
        // Nothing to release: the map holds the attachment.
    }

    @Override
    public String toString() {
        return "SkMsgLink[" + program + " on " + map.name() + "]";
    }
}
