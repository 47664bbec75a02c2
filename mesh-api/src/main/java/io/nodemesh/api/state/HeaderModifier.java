package io.nodemesh.api.state;

import java.util.List;
import java.util.Map;

/**
 * Header edits, applied in Gateway API's order: {@code remove}, then {@code set} (replaces or adds), then {@code add}
 * (appends to what is there, or adds). Names are case-insensitive, as in HTTP.
 */
public sealed interface HeaderModifier extends HttpFilter permits RequestHeaderModifier, ResponseHeaderModifier {
    /** Headers set to exactly this value, replacing any value the message had. */
    Map<String, String> set();

    /** Headers appended to the message's values. */
    Map<String, String> add();

    /** Headers removed from the message. */
    List<String> remove();
}
