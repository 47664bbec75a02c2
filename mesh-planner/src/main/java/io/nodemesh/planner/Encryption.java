package io.nodemesh.planner;

/** How pod-to-pod traffic is encrypted in a model. */
public enum Encryption {
    NONE("plain"),
    /** mTLS terminated in every proxy on the path (Istio sidecars, ztunnel's HBONE). */
    MTLS("mtls"),
    /** WireGuard between nodes: every node-to-node crossing is encrypted by the kernel/wireguard-go, not a proxy. */
    WIREGUARD("wireguard");

    private final String cliName;

    Encryption(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }
}
