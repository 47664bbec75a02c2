package io.nodemesh.sim.internal;

import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.sim.HttpRequest;

/**
 * The {@code Location} of a redirect, as Gateway API defines it: the request's URL with the redirect's parts replaced.
 * Applications talk plain HTTP to the node proxy, so the request's scheme is {@code http}; its host and port come from
 * the {@code Host} header, or the address it was sent to when there is none. A port left unspecified becomes the
 * well-known port of a changed scheme, else stays the request's; a well-known port is left out of the URL.
 */
final class Redirects {
    private Redirects() {}

    static String location(RequestRedirect r, HttpRequest request, String ip, int port) {
        String scheme = r.scheme().isEmpty() ? "http" : r.scheme();
        String hostHeader = request.header("host").orElse("");
        String requestHost = hostHeader.isEmpty() ? ip : hostOnly(hostHeader);
        int requestPort = hostHeader.isEmpty() ? port : portOf(hostHeader, 80);
        String host = r.hostname().isEmpty() ? requestHost : r.hostname();
        int to = r.port() != 0 ? r.port() : !r.scheme().isEmpty() ? wellKnown(scheme) : requestPort;
        String path = r.path().isEmpty() ? request.path() : r.path();
        String authority = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return scheme + "://" + authority + (to == wellKnown(scheme) ? "" : ":" + to) + path;
    }

    private static int wellKnown(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    private static String hostOnly(String hostHeader) {
        if (hostHeader.startsWith("[")) return hostHeader.substring(1, hostHeader.indexOf(']'));
        int colon = hostHeader.lastIndexOf(':');
        return colon < 0 ? hostHeader : hostHeader.substring(0, colon);
    }

    private static int portOf(String hostHeader, int otherwise) {
        int colon = hostHeader.lastIndexOf(':');
        if (colon < 0 || hostHeader.lastIndexOf(']') > colon) return otherwise;
        try {
            return Integer.parseInt(hostHeader.substring(colon + 1));
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
