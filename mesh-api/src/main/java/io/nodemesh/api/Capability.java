package io.nodemesh.api;

/** What a backend can do. Backends compose: each concern goes to a backend that has its capability. */
public enum Capability {
    /** Service VIP to backend translation at connect/send time. */
    SOCKET_LB,
    /** Same-node socket-to-socket redirect that skips the TCP/IP stack. */
    SOCKET_REDIRECT,
    /** Identity-based allow/deny on connections. */
    L4_POLICY,
    /** HTTP routing: matches, weighted splits, timeouts, retries. */
    L7_ROUTING,
    /** HTTP-aware policy. */
    L7_POLICY,
    /** Mutual TLS with SPIFFE identities between proxies. */
    MTLS,
    /** Encryption of all traffic between nodes at the network layer. */
    NODE_ENCRYPTION,
    /** A stream of flow events. */
    FLOWS
}
