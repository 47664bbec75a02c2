package io.nodemesh.api;

import java.time.Instant;

/**
 * What traffic did, the same shape from every backend.
 *
 * @param time        when it happened (virtual time on the simulator)
 * @param node        the node that saw it
 * @param type        what happened
 * @param source      who connected: a workload, or a host process
 * @param destination where it was addressed (a service VIP, or a direct address)
 * @param service     the service ({@code namespace/name}) it was addressed to, or empty
 * @param backend     the backend it went to after translation, or {@code null} when none was chosen
 * @param verdict     forwarded or dropped, and why
 * @param path        the way it took through the node
 * @param bytes       bytes carried (0 for connect events)
 */
public record FlowEvent(
        Instant time,
        String node,
        Type type,
        FlowPeer source,
        FlowPeer destination,
        String service,
        FlowPeer backend,
        Verdict verdict,
        FlowPath path,
        long bytes) {
    /** Kinds of event, in the life of a connection. */
    public enum Type {
        CONNECT,
        TRANSLATE,
        REDIRECT,
        DROP,
        CLOSE
    }

    public FlowEvent {
        service = service == null ? "" : service;
    }

    @Override
    public String toString() {
        return time + " " + node + " " + type + " " + source + " -> " + destination
                + (service.isEmpty() ? "" : " svc=" + service)
                + (backend == null ? "" : " backend=" + backend)
                + " " + verdict + " via " + path + (bytes > 0 ? " " + bytes + "B" : "");
    }
}
