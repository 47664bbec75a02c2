package io.nodemesh.api;

/** Which way traffic went through the node. */
public enum FlowPath {
    /** Handed from socket to socket on the same node, skipping the TCP/IP stack (sockops + sk_msg). */
    SOCKET_REDIRECT,
    /** Through the kernel's network stack (veth, bridge, routing). */
    KERNEL_STACK,
    /** Through the node's proxy (L7 services). */
    NODE_PROXY,
    /** Through the WireGuard tunnel to another node. */
    ENCRYPTED_TUNNEL,
    /** Never sent: refused before it left the socket. */
    NONE
}
