package io.nodemesh.api.state;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Defensive copies that turn an absent collection (null, as from a sparse YAML file) into an empty one. */
final class Lists {
    private Lists() {}

    static <T> List<T> copy(List<T> list) {
        if (list instanceof ReplacedList<T>) return list; // immutable already; copying would lose what it remembers
        return list == null ? List.of() : List.copyOf(list);
    }

    static Map<String, String> copy(Map<String, String> map) {
        // Sorted, so equal states print and serialize identically.
        return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
