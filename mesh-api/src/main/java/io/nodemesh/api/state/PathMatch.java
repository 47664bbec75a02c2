package io.nodemesh.api.state;

/**
 * How an HTTP request path is matched.
 *
 * @param kind  exact, prefix or regular expression (RE2 syntax, as Envoy uses)
 * @param value the path, prefix or expression
 */
public record PathMatch(Kind kind, String value) {
    public enum Kind {
        EXACT,
        PREFIX,
        REGEX
    }

    public static final PathMatch ANY = new PathMatch(Kind.PREFIX, "/");

    public PathMatch {
        kind = kind == null ? Kind.PREFIX : kind;
        value = value == null ? "/" : value;
    }

    public static PathMatch prefix(String prefix) {
        return new PathMatch(Kind.PREFIX, prefix);
    }

    public static PathMatch exact(String path) {
        return new PathMatch(Kind.EXACT, path);
    }
}
