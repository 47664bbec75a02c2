package io.nodemesh.sim;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import java.time.Duration;
import java.util.Map;

/** What the node proxy did with one HTTP request. */
public sealed interface RequestResult {
    /**
     * The request was routed and reached a backend.
     *
     * @param route   the {@code HttpRoute} ({@code namespace/name}) whose rule matched, or empty when the service has no
     *                route and the proxy sent it to the service's own endpoints
     * @param rule    the index of the matching rule in that route, or -1 without a route
     * @param service the service ({@code namespace/name}) the weighted split chose
     * @param backend the endpoint of that service that got it, with its target port
     * @param path    always {@link FlowPath#NODE_PROXY}: L7 services are steered into the node proxy
     * @param delay   how long the matched rule's fault ({@code HttpFault}) held the request before forwarding it; zero
     *                when it was not delayed
     * @param forwarded the request as the backend received it, after the rule's {@code RequestHeaderModifier}
     * @param responseHeaders the headers the caller got back: simulated backends answer without headers, so these are
     *                the ones the rule's {@code ResponseHeaderModifier} set or added
     */
    record Routed(
            String route,
            int rule,
            String service,
            FlowPeer backend,
            FlowPath path,
            Duration delay,
            HttpRequest forwarded,
            Map<String, String> responseHeaders)
            implements RequestResult {
        public Routed {
            delay = delay == null ? Duration.ZERO : delay;
            responseHeaders = responseHeaders == null ? Map.of() : Map.copyOf(responseHeaders);
        }

        /** A request forwarded without delay or header edits (the forwarded request is unknown here). */
        public Routed(String route, int rule, String service, FlowPeer backend, FlowPath path) {
            this(route, rule, service, backend, path, Duration.ZERO, null, Map.of());
        }
    }

    /**
     * The matched rule's {@code RequestRedirect} answered: no backend saw the request.
     *
     * @param route    the {@code HttpRoute} ({@code namespace/name}) whose rule matched
     * @param rule     the index of that rule
     * @param status   the redirect status (301, 302, 303, 307 or 308)
     * @param location the {@code Location} header: the request's URL with the redirect's parts replaced
     */
    record Redirected(String route, int rule, int status, String location) implements RequestResult {}

    /**
     * The proxy answered itself and no backend saw the request.
     *
     * @param status  the HTTP status the proxy answers with: 403 for an L7 policy denial, 404 when no route rule
     *                matches, 503 when the chosen service has no ready endpoint, the fault's abort status when the
     *                matched rule's {@code HttpFault} aborted it (then with {@link Verdict#NO_BACKEND})
     * @param verdict {@link Verdict#DROPPED_POLICY} for 403, {@link Verdict#NO_BACKEND} otherwise
     * @param reason  why, for people
     */
    record Rejected(int status, Verdict verdict, String reason) implements RequestResult {}

    default boolean routed() {
        return this instanceof Routed;
    }
}
