package io.nodemesh.ebpf.bpf;

/** Options to attach an {@code sk_msg} program: the SOCKHASH (or SOCKMAP) whose sockets it sees. */
public record SkMsgAttach(BpfMap sockMap) {
    public SkMsgAttach {
        if (sockMap == null) throw new IllegalArgumentException("sockMap must be given");
    }
}
