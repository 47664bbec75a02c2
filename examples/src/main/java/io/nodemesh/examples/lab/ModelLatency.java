package io.nodemesh.examples.lab;

import io.nodemesh.api.FlowPath;
import io.nodemesh.planner.NetworkParameters;
import io.nodemesh.planner.ParameterFile;

/**
 * The planner's one-way latency for a lab path, from its default network parameters (the same hop costs {@code
 * nodemesh sim} and {@code calibrate} use): a socket redirect is one {@code socketRedirect} hop; the kernel stack on
 * one node is {@code podToPod}; across nodes it is pod → node, the wire, WireGuard and node → pod.
 */
final class ModelLatency {
    private final NetworkParameters net = ParameterFile.defaults().network();

    /** Microseconds one way for {@code bytes} on {@code path}, between two nodes or not. */
    double oneWayUs(FlowPath path, boolean crossNode, int bytes) {
        if (path == FlowPath.SOCKET_REDIRECT) return net.socketRedirect().us(bytes);
        if (!crossNode) return net.podToPod().us(bytes);
        double us = 2 * net.podToNode().us(bytes) + net.nodeToNode().us(bytes);
        return path == FlowPath.ENCRYPTED_TUNNEL ? us + net.wireguard().us(bytes) : us;
    }
}
