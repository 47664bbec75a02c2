package io.nodemesh.api.state;

import java.util.Set;

/**
 * Answers a matching request with a redirect, so no backend sees it. Each part left empty (or 0) keeps the request's
 * own: {@code Location} is built from the request's scheme, host, port and path with the given parts replaced.
 *
 * @param scheme     {@code http} or {@code https}, or empty to keep the request's
 * @param hostname   the host to redirect to, or empty to keep the request's
 * @param port       the port to redirect to, 1..65535, or 0 for the scheme's default (when the scheme changes) or the
 *                   request's port
 * @param path       the whole path to redirect to (starting with {@code /}), or empty to keep the request's
 * @param statusCode 301, 302, 303, 307 or 308; 0 means 302, Gateway API's default
 */
public record RequestRedirect(String scheme, String hostname, int port, String path, int statusCode)
        implements HttpFilter {
    /** The statuses that mean a redirect with a {@code Location} that proxies can answer. */
    public static final Set<Integer> STATUS_CODES = Set.of(301, 302, 303, 307, 308);

    public RequestRedirect {
        scheme = scheme == null ? "" : scheme;
        hostname = hostname == null ? "" : hostname;
        path = path == null ? "" : path;
        statusCode = statusCode == 0 ? 302 : statusCode; // Gateway API's default
    }

    /** A 302 to the same request on {@code hostname}. */
    public static RequestRedirect toHost(String hostname) {
        return new RequestRedirect("", hostname, 0, "", 302);
    }

    @Override
    public String kind() {
        return "RequestRedirect";
    }
}
