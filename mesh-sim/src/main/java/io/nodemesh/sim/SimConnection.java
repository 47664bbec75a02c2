package io.nodemesh.sim;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;

/**
 * An open simulated connection, as it was at connect time.
 *
 * @param id      unique within the dataplane
 * @param node    the client's node, whose kernel translated it
 * @param client  the client's address and source port
 * @param peer    what the client sees as its peer (getpeername): the VIP and service port it dialled, never the backend,
 *                because the kernel reverse-translates
 * @param backend the backend it was translated to, with the target port
 * @param service the service ({@code namespace/name}) it was addressed to, or empty for a direct connection
 * @param path    the way its bytes take
 */
public record SimConnection(
        long id, String node, FlowPeer client, FlowPeer peer, FlowPeer backend, String service, FlowPath path) {}
