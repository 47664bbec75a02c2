package io.nodemesh.api.state;

import java.util.List;
import java.util.Map;

/**
 * Edits the headers of the backend's response to a matching request before the proxy passes it on.
 *
 * @param set    headers replaced or added
 * @param add    headers appended
 * @param remove headers removed
 */
public record ResponseHeaderModifier(Map<String, String> set, Map<String, String> add, List<String> remove)
        implements HeaderModifier {
    public ResponseHeaderModifier {
        set = Lists.copy(set);
        add = Lists.copy(add);
        remove = Lists.copy(remove);
    }

    @Override
    public String kind() {
        return "ResponseHeaderModifier";
    }
}
