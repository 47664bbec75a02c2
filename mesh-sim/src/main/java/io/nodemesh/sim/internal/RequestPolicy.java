package io.nodemesh.sim.internal;

import io.nodemesh.api.state.Identities;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Policy;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.sim.HttpRequest;
import java.util.List;
import java.util.function.Predicate;

/**
 * Identity policy split between the two places that enforce it for an L7 service, with {@link MeshIndex#allows}'s rules
 * (a matching DENY wins; an ALLOW that selects a destination makes it default-deny):
 * <ul>
 *   <li>the connection to the node proxy: a DENY with HTTP conditions cannot be judged before a request is seen, so it
 *       does not refuse the connection; an ALLOW with HTTP conditions lets the connection open (some request may match);</li>
 *   <li>each request, in the proxy: a policy matches when its L4 part matches and its {@code http} list is empty or one of
 *       its matches fits the request — the same as the Envoy backend's RBAC filters.</li>
 * </ul>
 * For a service that is not L7 nothing sees requests, so {@link MeshIndex#allows} alone decides (and validation keeps
 * HTTP conditions off such services).
 */
final class RequestPolicy {
    private RequestPolicy() {}

    static boolean connectionAllows(
            MeshIndex index, String source, String destination, String service, int port, boolean l7) {
        if (!l7) return index.allows(source, destination, service, port);
        return decide(
                index,
                source,
                destination,
                service,
                port,
                p -> p.action() == PolicyAction.ALLOW || p.http().isEmpty());
    }

    static boolean requestAllows(
            MeshIndex index, String source, String destination, String service, int port, HttpRequest request) {
        return decide(
                index,
                source,
                destination,
                service,
                port,
                p -> p.http().isEmpty() || p.http().stream().anyMatch(m -> HttpMatching.matches(m, request)));
    }

    /** {@link MeshIndex#allows} where a policy only counts as matching when {@code http} also holds for it. */
    private static boolean decide(
            MeshIndex index, String source, String destination, String service, int port, Predicate<Policy> http) {
        boolean selected = false;
        boolean allowed = false;
        List<Policy> policies = index.state().policies();
        for (Policy p : policies) {
            if (p.matches(source, destination, service, port) && http.test(p)) {
                if (p.action() == PolicyAction.DENY) return false;
                allowed = true;
            }
            if (p.action() == PolicyAction.ALLOW && p.selects(destination, service)) selected = true;
        }
        return allowed || !selected;
    }

    /** What a denial says: who, to what, and which request. */
    static String denial(String source, String destination, String service, HttpRequest request) {
        return "L7 policy denies " + (source.equals(Identities.HOST) ? "a host process" : source) + " "
                + request.method() + " " + request.pathOnly() + " to " + destination + " (service " + service + ")";
    }
}
