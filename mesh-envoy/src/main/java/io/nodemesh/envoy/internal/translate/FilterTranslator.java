package io.nodemesh.envoy.internal.translate;

import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.nodemesh.api.state.HeaderModifier;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.RequestHeaderModifier;
import io.nodemesh.api.state.RequestRedirect;
import io.nodemesh.api.state.ResponseHeaderModifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A route rule's filters on an Envoy {@link Route}. Envoy removes a route's headers before it adds any (its header
 * parser does so on purpose), which is Gateway API's order too: remove, then set as overwrite-or-add, then add as
 * append-or-add. A redirect is the route's action instead of forwarding.
 */
final class FilterTranslator {
    private FilterTranslator() {}

    static void apply(List<HttpFilter> filters, Route.Builder route) {
        for (HttpFilter f : filters) {
            switch (f) {
                case RequestHeaderModifier m -> {
                    route.addAllRequestHeadersToAdd(additions(m));
                    route.addAllRequestHeadersToRemove(lower(m.remove()));
                }
                case ResponseHeaderModifier m -> {
                    route.addAllResponseHeadersToAdd(additions(m));
                    route.addAllResponseHeadersToRemove(lower(m.remove()));
                }
                case RequestRedirect r -> route.setRedirect(redirect(r));
            }
        }
    }

    private static List<HeaderValueOption> additions(HeaderModifier m) {
        List<HeaderValueOption> out = new ArrayList<>();
        m.set()
                .forEach((k, v) ->
                        out.add(option(k, v, HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD)));
        m.add().forEach((k, v) -> out.add(option(k, v, HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD)));
        return out;
    }

    private static HeaderValueOption option(String name, String value, HeaderValueOption.HeaderAppendAction action) {
        return HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder()
                        .setKey(name.toLowerCase(Locale.ROOT))
                        .setValue(value))
                .setAppendAction(action)
                .build();
    }

    private static List<String> lower(List<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).toList();
    }

    private static final Map<Integer, RedirectAction.RedirectResponseCode> CODES = Map.of(
            301, RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY,
            302, RedirectAction.RedirectResponseCode.FOUND,
            303, RedirectAction.RedirectResponseCode.SEE_OTHER,
            307, RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT,
            308, RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT);

    static RedirectAction redirect(RequestRedirect r) {
        var b = RedirectAction.newBuilder();
        if (!r.scheme().isEmpty()) b.setSchemeRedirect(r.scheme());
        if (!r.hostname().isEmpty()) b.setHostRedirect(r.hostname());
        if (r.port() != 0) b.setPortRedirect(r.port());
        if (!r.path().isEmpty()) b.setPathRedirect(r.path());
        // Validation admits only the five statuses in the map.
        return b.setResponseCode(CODES.get(r.statusCode())).build();
    }
}
