package io.nodemesh.api.state;

import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** The rules of single fields — names, addresses, ports, HTTP matches, faults — each adding its violation with a path. */
final class FieldRules {
    static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** RFC 9110 token: what an HTTP method or header name may be made of. */
    static final Pattern HTTP_TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private final List<Violation> out;

    FieldRules(List<Violation> out) {
        this.out = out;
    }

    void add(String path, String reason) {
        out.add(new Violation(path, reason));
    }

    void fault(String at, HttpFault f) {
        if (f.delay().isNegative()) add(at + ".delay", "must not be negative");
        percent(at + ".delayPercent", f.delayPercent());
        percent(at + ".abortPercent", f.abortPercent());
        // 0 is "no abort status" and only allowed while nothing is aborted; anything else must be a real HTTP status.
        if (f.abortStatus() != 0 || f.abortPercent() > 0) {
            if (f.abortStatus() < 200 || f.abortStatus() > 599) {
                add(at + ".abortStatus", f.abortStatus() + " is not an HTTP status to abort with (200..599)");
            }
        }
    }

    void percent(String path, int value) {
        if (value < 0 || value > 100) add(path, value + " is not a percentage (0..100)");
    }

    void httpMatch(String at, HttpMatch m) {
        PathMatch path = m.path();
        if (path.kind() == PathMatch.Kind.REGEX) {
            try {
                Pattern.compile(path.value());
                // Java accepts more than the RE2 engine Envoy uses; what RE2 rejects would fail in the proxy instead.
                Re2Syntax.unsupported(path.value())
                        .ifPresent(construct -> add(
                                at + ".path.value",
                                "uses " + construct + ", which the proxy's RE2 regular expressions do not support"));
            } catch (PatternSyntaxException e) {
                add(at + ".path.value", "invalid regular expression: " + e.getDescription());
            }
        } else if (!path.value().startsWith("/")) {
            add(at + ".path.value", "'" + path.value() + "' must start with '/'");
        }
        if (!m.method().isEmpty() && !HTTP_TOKEN.matcher(m.method()).matches()) {
            add(at + ".method", "'" + m.method() + "' is not an HTTP method");
        }
        for (String header : m.headers().keySet()) {
            if (!HTTP_TOKEN.matcher(header).matches()) {
                add(at + ".headers." + header, "'" + header + "' is not an HTTP header name");
            }
        }
    }

    void names(String at, String namespace, String name) {
        if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
            add(
                    at + ".namespace",
                    "'" + namespace + "' is not a DNS label (lower-case letters, digits and '-', at most 63)");
        }
        if (name == null || !DNS_LABEL.matcher(name).matches()) {
            add(at + ".name", "'" + name + "' is not a DNS label (lower-case letters, digits and '-', at most 63)");
        }
    }

    boolean ip(String path, String value) {
        if (IpAddresses.isValid(value)) return true;
        add(path, "'" + value + "' is not an IPv4 or IPv6 address");
        return false;
    }

    void portRange(String path, int port) {
        if (port < 1 || port > 65535) add(path, port + " is outside 1..65535");
    }

    static boolean isWireguardKey(String key) {
        try {
            return key.length() == 44 && Base64.getDecoder().decode(key).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    static String keyOr(String namespace, String name, int index) {
        return name == null || name.isEmpty() ? String.valueOf(index) : ObjectKey.format(namespace, name);
    }
}
