package io.nodemesh.api.state;

/** Where a service's traffic is handled. */
public enum ServiceLayer {
    /** In the kernel: socket-level load balancing, socket redirect, L4 policy. */
    L4,
    /** Through the node proxy: HTTP routes, L7 policy, mTLS. */
    L7
}
