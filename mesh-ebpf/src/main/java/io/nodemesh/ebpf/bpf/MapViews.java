package io.nodemesh.ebpf.bpf;

/** Checks shared by the typed views: the map is of the right kind and its sizes fit the codecs. */
final class MapViews {
    private MapViews() {}

    static void require(BpfMap map, String view, Codec<?> key, Codec<?> value, MapType... types) {
        boolean ok = false;
        for (MapType t : types) ok |= map.type() == t;
        if (!ok) throw new BpfException("map " + map.name() + " is a " + map.type() + ", not usable as a " + view);
        if (key != null && key.size() != map.keySize()) {
            throw new BpfException(
                    "map " + map.name() + " has " + map.keySize() + "-byte keys; the key codec makes " + key.size());
        }
        if (value != null && value.size() != map.valueSize()) {
            throw new BpfException("map " + map.name() + " has " + map.valueSize()
                    + "-byte values; the value codec makes " + value.size());
        }
    }
}
