package io.nodemesh.ebpf.bpf;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * How to load an object.
 *
 * @param verifierLogSize bytes for the verifier log of a failed load (the kernel truncates a longer log)
 * @param pinRoot         a bpffs directory for the object's maps: a map already pinned there as
 *                        {@code <dir>/<map name>} is reused instead of created (after checking its type and sizes
 *                        match the declaration), and libbpf pins there the maps declared with
 *                        {@code LIBBPF_PIN_BY_NAME}; empty = create every map, pin nothing
 * @param mapSizes        {@code max_entries} by map name, replacing the object's declaration for maps this load
 *                        creates; a pinned map of such a name is reused when it holds at least that many entries
 *                        (it keeps its own size) and refused, naming both sizes, when it holds fewer
 */
public record LoadOptions(int verifierLogSize, Optional<Path> pinRoot, Map<String, Integer> mapSizes) {
    public static final LoadOptions DEFAULTS = new LoadOptions(1 << 20, Optional.empty(), Map.of());

    public LoadOptions {
        if (verifierLogSize < 256)
            throw new IllegalArgumentException("verifierLogSize must be at least 256, was " + verifierLogSize);
        pinRoot = pinRoot == null ? Optional.empty() : pinRoot;
        mapSizes = mapSizes == null ? Map.of() : Map.copyOf(mapSizes);
        mapSizes.forEach((name, entries) -> {
            if (entries <= 0)
                throw new IllegalArgumentException("max_entries of map " + name + " must be positive, was " + entries);
        });
    }

    public LoadOptions withPinRoot(Path dir) {
        return new LoadOptions(verifierLogSize, Optional.of(dir), mapSizes);
    }

    public LoadOptions withMapSizes(Map<String, Integer> sizes) {
        return new LoadOptions(verifierLogSize, pinRoot, sizes);
    }
}
