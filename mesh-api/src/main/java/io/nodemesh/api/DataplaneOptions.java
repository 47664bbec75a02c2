package io.nodemesh.api;

import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * How to open a backend.
 *
 * @param node       the node this dataplane programs, or empty for a backend that models the whole cluster (the simulator)
 * @param properties backend settings, documented by each backend (e.g. {@code ebpf.cgroupRoot}, {@code sim.seed})
 */
public record DataplaneOptions(String node, Map<String, String> properties) {
    public static final DataplaneOptions DEFAULTS = new DataplaneOptions("", Map.of());

    public DataplaneOptions {
        node = node == null ? "" : node;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    public static DataplaneOptions forNode(String node) {
        return new DataplaneOptions(node, Map.of());
    }

    public Optional<String> property(String key) {
        return Optional.ofNullable(properties.get(key));
    }

    public String property(String key, String defaultValue) {
        return properties.getOrDefault(key, defaultValue);
    }

    /** A copy with one more setting. */
    public DataplaneOptions with(String key, String value) {
        var copy = new TreeMap<>(properties);
        copy.put(key, value);
        return new DataplaneOptions(node, copy);
    }
}
