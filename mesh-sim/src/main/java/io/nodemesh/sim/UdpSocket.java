package io.nodemesh.sim;

import io.nodemesh.api.FlowPeer;

/**
 * A connected UDP socket, as its owner sees it. The kernel translated it at connect time when {@code peer} is a
 * service VIP; which backend it currently sends to is in each {@link DatagramResult.Delivered}.
 *
 * @param id      unique within the dataplane (shared numbering with TCP connections)
 * @param node    the client's node
 * @param client  the client's address and source port
 * @param peer    what the socket is connected to, as the client sees it: the VIP and port it dialled
 * @param service the service ({@code namespace/name}) owning that VIP, or empty for a direct address
 */
public record UdpSocket(long id, String node, FlowPeer client, FlowPeer peer, String service) {}
