package io.nodemesh.ebpf.bpf;

/** A typed view of an ARRAY map: fixed size, every index always present, zero until written. */
public final class ArrayView<V> {
    private final BpfMap map;
    private final Codec<V> values;

    private ArrayView(BpfMap map, Codec<V> values) {
        this.map = map;
        this.values = values;
    }

    public static <V> ArrayView<V> of(BpfMap map, Codec<V> values) {
        MapViews.require(map, "array", Codec.U32, values, MapType.ARRAY);
        return new ArrayView<>(map, values);
    }

    public int length() {
        return map.definition().maxEntries();
    }

    public V get(int index) {
        check(index);
        return values.decode(map.lookup(Codec.U32.encode(index)).orElseThrow());
    }

    public void set(int index, V value) {
        check(index);
        map.put(Codec.U32.encode(index), values.encode(value));
    }

    private void check(int index) {
        if (index < 0 || index >= length()) {
            throw new IndexOutOfBoundsException(
                    "array " + map.name() + " has " + length() + " entries, index " + index);
        }
    }
}
