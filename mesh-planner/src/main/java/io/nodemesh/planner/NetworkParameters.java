package io.nodemesh.planner;

/**
 * One-way latency of each network segment a request can cross (kernel work, no proxy).
 *
 * @param loopback       app ↔ its sidecar inside a pod (127.0.0.1)
 * @param podToPod       pod → pod on the same node over veth + bridge
 * @param podToNode      pod ↔ the node's network stack (to a node proxy, or on the way off the node)
 * @param nodeToNode     across the underlay between two nodes
 * @param socketRedirect sockops/sk_msg redirect from the client's socket straight into the server's (same node)
 * @param wireguard      extra for one encrypted node-to-node crossing (encrypt + decrypt)
 */
public record NetworkParameters(
        LinearCost loopback,
        LinearCost podToPod,
        LinearCost podToNode,
        LinearCost nodeToNode,
        LinearCost socketRedirect,
        LinearCost wireguard) {}
