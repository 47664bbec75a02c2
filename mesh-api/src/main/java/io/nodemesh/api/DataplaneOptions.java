package io.nodemesh.api;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * How to open a backend: the node it programs and its settings, each an {@link Option} the backend declares.
 * {@link Dataplanes#open} rejects a key no backend declares, listing the known ones.
 *
 * @param node       the node this dataplane programs, or empty for a backend that models the whole cluster (the simulator)
 * @param properties settings as text by key (e.g. {@code ebpf.cgroupRoot}, {@code sim.seed}), as from a file or a flag
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

    /** The value of {@code option}: the text set for its key, parsed, or its default. */
    public <T> T get(Option<T> option) {
        String text = properties.get(option.key());
        return text == null ? option.defaultValue() : option.parse(text);
    }

    /** The value of {@code option} when set, or when it has a default. */
    public <T> Optional<T> find(Option<T> option) {
        return Optional.ofNullable(get(option));
    }

    /** A copy with {@code option} set to {@code value}. */
    public <T> DataplaneOptions withValue(Option<T> option, T value) {
        return with(option.key(), String.valueOf(value));
    }

    /** A copy with {@code option} set to {@code text}, read when the backend opens. */
    public DataplaneOptions with(Option<?> option, String text) {
        return with(option.key(), text);
    }

    /** A copy with one more setting as text. */
    public DataplaneOptions with(String key, String value) {
        var copy = new TreeMap<>(properties);
        copy.put(key, value);
        return new DataplaneOptions(node, copy);
    }

    /**
     * Checks every setting against {@code known}: an unknown key, or a value its option cannot read, is an error.
     *
     * @throws InvalidOptionsException listing every problem, and the known keys when a key is unknown
     */
    public void requireKnown(String backend, Collection<Option<?>> known) {
        Map<String, Option<?>> byKey = known.stream().collect(Collectors.toMap(Option::key, o -> o, (a, b) -> a));
        List<String> problems = new java.util.ArrayList<>();
        Set<String> unknown = new TreeSet<>();
        new TreeMap<>(properties).forEach((key, value) -> {
            Option<?> option = byKey.get(key);
            if (option == null) {
                unknown.add(key);
                return;
            }
            try {
                option.parse(value);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage());
            }
        });
        if (!unknown.isEmpty()) {
            problems.addFirst("unknown option" + (unknown.size() == 1 ? " " : "s ") + String.join(", ", unknown)
                    + " for " + backend + "; known: "
                    + (byKey.isEmpty() ? "none" : String.join(", ", new TreeSet<>(byKey.keySet()))));
        }
        if (!problems.isEmpty()) throw new InvalidOptionsException(problems);
    }
}
