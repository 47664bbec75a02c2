package io.nodemesh.api;

/**
 * One end of a flow.
 *
 * @param ip       address
 * @param port     port (0 when not known)
 * @param workload the workload ({@code namespace/name}) with this address, or empty for a host process or outside address
 * @param identity its identity ({@code host} for a process outside every workload)
 */
public record FlowPeer(String ip, int port, String workload, String identity) {
    public FlowPeer {
        workload = workload == null ? "" : workload;
        identity = identity == null ? "" : identity;
    }

    @Override
    public String toString() {
        String who = workload.isEmpty() ? identity : workload;
        return who + "(" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port + ")";
    }
}
