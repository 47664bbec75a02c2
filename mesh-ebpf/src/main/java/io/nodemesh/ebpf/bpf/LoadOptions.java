package io.nodemesh.ebpf.bpf;

import java.nio.file.Path;
import java.util.Optional;

/**
 * How to load an object.
 *
 * @param verifierLogSize bytes for the verifier log of a failed load (the kernel truncates a longer log)
 * @param pinRoot         a bpffs directory for the object's maps: a map already pinned there as
 *                        {@code <dir>/<map name>} is reused instead of created (after checking its type and sizes
 *                        match the declaration), and libbpf pins there the maps declared with
 *                        {@code LIBBPF_PIN_BY_NAME}; empty = create every map, pin nothing
 */
public record LoadOptions(int verifierLogSize, Optional<Path> pinRoot) {
    public static final LoadOptions DEFAULTS = new LoadOptions(1 << 20, Optional.empty());

    public LoadOptions {
        if (verifierLogSize < 256)
            throw new IllegalArgumentException("verifierLogSize must be at least 256, was " + verifierLogSize);
        pinRoot = pinRoot == null ? Optional.empty() : pinRoot;
    }

    public LoadOptions withPinRoot(Path dir) {
        return new LoadOptions(verifierLogSize, Optional.of(dir));
    }
}
