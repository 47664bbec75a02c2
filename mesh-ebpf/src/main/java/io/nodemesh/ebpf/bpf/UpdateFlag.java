package io.nodemesh.ebpf.bpf;

/** How an update treats an existing entry ({@code BPF_ANY}, {@code BPF_NOEXIST}, {@code BPF_EXIST}). */
public enum UpdateFlag {
    /** Create or replace. */
    ANY(0),
    /** Create only; EEXIST if present. */
    NO_EXIST(1),
    /** Replace only; ENOENT if absent. */
    EXIST(2);

    final long bits;

    UpdateFlag(long bits) {
        this.bits = bits;
    }
}
