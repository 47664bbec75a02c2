package io.nodemesh.sim.internal;

import io.nodemesh.api.state.HeaderModifier;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Applies a route's header edits to a message's headers as Gateway API orders them: remove, then set, then add. The
 * simulator keeps one value per header name, so an added value is joined to an existing one with {@code ", "}, which is
 * how HTTP says two header lines of one name mean the same (RFC 9110 §5.3).
 */
final class HeaderEdits {
    private HeaderEdits() {}

    /** {@code headers} (names lower-cased) after {@code m}; the result's names are lower-cased too. */
    static Map<String, String> apply(HeaderModifier m, Map<String, String> headers) {
        Map<String, String> out = new LinkedHashMap<>(headers);
        m.remove().forEach(name -> out.remove(lower(name)));
        m.set().forEach((name, value) -> out.put(lower(name), value));
        m.add().forEach((name, value) -> out.merge(lower(name), value, (was, more) -> was + ", " + more));
        return out;
    }

    private static String lower(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
