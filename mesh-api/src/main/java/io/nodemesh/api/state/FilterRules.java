package io.nodemesh.api.state;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules of a route rule's filters: one filter of each kind, header names a proxy can send, values without line
 * breaks, and redirects that a proxy can answer. Each violation names the filter by index and the field.
 */
final class FilterRules {
    /** A host name of DNS labels (RFC 1123), as Gateway API's PreciseHostname. */
    private static final Pattern HOSTNAME =
            Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** Headers the proxy owns: editing them would change where or how the request goes, not what it says. */
    private static final Set<String> RESERVED = Set.of("host", "content-length", "transfer-encoding", "connection");

    private final FieldRules rules;

    FilterRules(FieldRules rules) {
        this.rules = rules;
    }

    void check(String at, HttpRouteRule rule) {
        Set<String> kinds = new HashSet<>();
        for (int f = 0; f < rule.filters().size(); f++) {
            HttpFilter filter = rule.filters().get(f);
            String fat = at + ".filters[" + f + "]";
            if (filter == null) {
                rules.add(fat, "missing");
                continue;
            }
            if (!kinds.add(filter.kind()))
                rules.add(fat, "a second " + filter.kind() + "; a rule takes at most one of each kind");
            switch (filter) {
                case HeaderModifier m -> headers(fat, m);
                case RequestRedirect r -> redirect(fat, r);
            }
        }
        if (rule.redirect().isPresent() && !rule.backends().isEmpty()) {
            rules.add(
                    at + ".backends",
                    "a rule with a RequestRedirect answers the request itself; its backends would never be used");
        }
    }

    private void headers(String at, HeaderModifier m) {
        Set<String> named = new HashSet<>();
        names(at + ".set", m.set().keySet(), named);
        names(at + ".add", m.add().keySet(), named);
        names(at + ".remove", m.remove(), named);
        values(at + ".set", m.set());
        values(at + ".add", m.add());
        if (m.set().isEmpty() && m.add().isEmpty() && m.remove().isEmpty())
            rules.add(at, m.kind() + " changes nothing: give set, add or remove");
    }

    private void names(String at, Iterable<String> names, Set<String> named) {
        for (String name : names) {
            String where = at + "[" + name + "]";
            if (name == null || !FieldRules.HTTP_TOKEN.matcher(name).matches()) {
                rules.add(where, "'" + name + "' is not an HTTP header name (RFC 9110 token characters only)");
                continue;
            }
            String lower = name.toLowerCase(Locale.ROOT);
            if (RESERVED.contains(lower))
                rules.add(where, "header " + lower + " is the proxy's to set; it cannot be modified by a route");
            if (!named.add(lower))
                rules.add(where, "header " + lower + " is named twice in one filter; which edit wins is undefined");
        }
    }

    private void values(String at, Map<String, String> headers) {
        headers.forEach((name, value) -> {
            if (value == null) rules.add(at + "[" + name + "]", "missing value");
            else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\0') >= 0)
                rules.add(at + "[" + name + "]", "a header value must not contain CR, LF or NUL");
        });
    }

    private void redirect(String at, RequestRedirect r) {
        if (!r.scheme().isEmpty() && !List.of("http", "https").contains(r.scheme()))
            rules.add(at + ".scheme", "'" + r.scheme() + "' is not http or https");
        if (!r.hostname().isEmpty()
                && (r.hostname().length() > 253
                        || !HOSTNAME.matcher(r.hostname()).matches()))
            rules.add(at + ".hostname", "'" + r.hostname() + "' is not a host name (lower-case DNS labels)");
        if (r.port() != 0 && (r.port() < 1 || r.port() > 65535)) rules.portRange(at + ".port", r.port());
        if (!r.path().isEmpty()
                && (!r.path().startsWith("/") || r.path().chars().anyMatch(c -> c <= ' ')))
            rules.add(at + ".path", "'" + r.path() + "' is not an absolute path (a '/' first, no spaces)");
        if (!RequestRedirect.STATUS_CODES.contains(r.statusCode()))
            rules.add(at + ".statusCode", r.statusCode() + " is not a redirect status (301, 302, 303, 307 or 308)");
    }
}
