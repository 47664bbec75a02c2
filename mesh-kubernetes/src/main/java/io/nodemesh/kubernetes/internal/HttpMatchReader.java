package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.HttpMatch;
import io.nodemesh.api.state.PathMatch;
import io.nodemesh.api.state.Violation;
import io.nodemesh.kubernetes.crd.HttpMatchSpec;
import java.util.ArrayList;
import java.util.List;

/** Gateway-API style HTTP matches of nodemesh's resources become {@link HttpMatch}es. */
final class HttpMatchReader {
    private HttpMatchReader() {}

    static List<HttpMatch> read(List<HttpMatchSpec> specs, String at, List<Violation> violations) {
        List<HttpMatch> out = new ArrayList<>();
        if (specs == null) return out;
        for (int i = 0; i < specs.size(); i++) {
            HttpMatchSpec m = specs.get(i);
            String path = at + "[" + i + "]";
            if (m == null) {
                violations.add(new Violation(path, "empty match"));
                continue;
            }
            PathMatch pm = PathMatch.ANY;
            if (m.path() != null) {
                String type = m.path().type() == null ? "PathPrefix" : m.path().type();
                PathMatch.Kind kind = switch (type) {
                    case "Exact" -> PathMatch.Kind.EXACT;
                    case "PathPrefix" -> PathMatch.Kind.PREFIX;
                    case "RegularExpression" -> PathMatch.Kind.REGEX;
                    default -> null;
                };
                if (kind == null) {
                    violations.add(new Violation(
                            path + ".path.type", "'" + type + "' is not Exact, PathPrefix or RegularExpression"));
                    continue;
                }
                pm = new PathMatch(kind, m.path().value());
            }
            out.add(new HttpMatch(pm, m.method(), m.headers()));
        }
        return out;
    }
}
