package io.nodemesh.sim;

/** Who opens a simulated connection: a process in a workload, or a process on a node outside every workload. */
public sealed interface Source {
    /** A process inside workload {@code namespace/name}; it connects from the workload's address on the workload's node. */
    record Pod(String workload) implements Source {}

    /**
     * A process on {@code node} that belongs to no workload (kubelet, a node agent, an ssh session); its identity is
     * {@link io.nodemesh.api.state.Identities#HOST}.
     *
     * @param ip the address it connects from, or empty for the node's first address
     */
    record Host(String node, String ip) implements Source {
        public Host {
            ip = ip == null ? "" : ip;
        }
    }

    static Source workload(String key) {
        return new Pod(key);
    }

    static Source host(String node) {
        return new Host(node, "");
    }
}
