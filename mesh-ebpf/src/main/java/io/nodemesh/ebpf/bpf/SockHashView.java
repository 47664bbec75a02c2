package io.nodemesh.ebpf.bpf;

import java.util.List;

/**
 * A typed view of a SOCKHASH. User space can only see which keys are present (a value read gives a socket cookie on
 * recent kernels) and delete them; sockets are inserted by programs (sockops) or by fd.
 */
public final class SockHashView<K> {
    private final BpfMap map;
    private final Codec<K> keys;

    private SockHashView(BpfMap map, Codec<K> keys) {
        this.map = map;
        this.keys = keys;
    }

    public static <K> SockHashView<K> of(BpfMap map, Codec<K> keys) {
        MapViews.require(map, "sock hash", keys, null, MapType.SOCKHASH);
        return new SockHashView<>(map, keys);
    }

    public BpfMap map() {
        return map;
    }

    /** The keys of the sockets in the map now. */
    public List<K> keys() {
        return map.keys().stream().map(keys::decode).toList();
    }

    public int size() {
        return map.keys().size();
    }

    /** Removes a socket from the map: its messages are no longer redirected. */
    public boolean remove(K key) {
        return map.delete(keys.encode(key));
    }
}
