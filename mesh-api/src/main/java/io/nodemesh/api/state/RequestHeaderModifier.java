package io.nodemesh.api.state;

import java.util.List;
import java.util.Map;

/**
 * Edits the headers of a matching request before the proxy forwards it.
 *
 * @param set    headers replaced or added
 * @param add    headers appended
 * @param remove headers removed
 */
public record RequestHeaderModifier(Map<String, String> set, Map<String, String> add, List<String> remove)
        implements HeaderModifier {
    public RequestHeaderModifier {
        set = Lists.copy(set);
        add = Lists.copy(add);
        remove = Lists.copy(remove);
    }

    @Override
    public String kind() {
        return "RequestHeaderModifier";
    }
}
