package io.nodemesh.ebpf.bpf;

/** The map types nodemesh uses ({@code enum bpf_map_type}), and OTHER for the rest. */
public enum MapType {
    HASH(1),
    ARRAY(2),
    PERCPU_HASH(5),
    PERCPU_ARRAY(6),
    LRU_HASH(9),
    LPM_TRIE(11),
    SOCKMAP(15),
    SOCKHASH(18),
    RINGBUF(27),
    OTHER(-1);

    private final int kernelValue;

    MapType(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    public int kernelValue() {
        return kernelValue;
    }

    public static MapType of(int kernelValue) {
        for (MapType t : values()) if (t.kernelValue == kernelValue) return t;
        return OTHER;
    }
}
