package io.nodemesh.examples.lab;

import io.nodemesh.api.FlowPath;
import io.nodemesh.planner.NetworkParameters;

/**
 * The planner's one-way kernel latency for a lab path, from its network parameters (the same hop costs {@code nodemesh
 * sim} and {@code calibrate} use): a socket redirect is one {@code socketRedirect} hop; the kernel stack on one node is
 * {@code podToPod}; across nodes it is pod → node, the wire, WireGuard and node → pod. The lab's wire is no network
 * between machines but veth pairs on one bridge — what {@code podToPod} costs — so that hop stands in for {@code
 * nodeToNode} here.
 */
final class ModelLatency {
    private final NetworkParameters net;

    ModelLatency(NetworkParameters net) {
        this.net = net;
    }

    /** Microseconds one way for {@code bytes} on {@code path}, between two nodes or not. */
    double oneWayUs(FlowPath path, boolean crossNode, int bytes) {
        if (path == FlowPath.SOCKET_REDIRECT) return net.socketRedirect().us(bytes);
        if (!crossNode) return net.podToPod().us(bytes);
        double us = 2 * net.podToNode().us(bytes) + net.podToPod().us(bytes);
        return path == FlowPath.ENCRYPTED_TUNNEL ? us + net.wireguard().us(bytes) : us;
    }

    /** The model's one loopback hop: what the lab's floor crosses besides the application's own cost. */
    double loopbackUs(int bytes) {
        return net.loopback().us(bytes);
    }
}
