package io.nodemesh.api.state;

/**
 * What a route rule does to a matching request besides choosing a backend, as Gateway API's HTTPRoute filters: edit the
 * request's headers before it is forwarded, edit the response's headers on the way back, or answer with a redirect so
 * that no backend sees the request. A rule holds at most one filter of each kind.
 */
public sealed interface HttpFilter permits HeaderModifier, RequestRedirect {
    /** The kind's name in field paths and messages, as Gateway API spells it. */
    String kind();
}
