package io.nodemesh.ebpf.bpf;

/** What the kernel says about a live map ({@code bpf_map_info}). */
public record MapInfo(int id, MapType type, int keySize, int valueSize, int maxEntries, String name) {
    public MapDefinition definition() {
        return new MapDefinition(name, type, keySize, valueSize, maxEntries);
    }
}
