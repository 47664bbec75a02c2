package io.nodemesh.contract;

/**
 * Where a contract scenario connects from.
 *
 * @param node     the node it runs on
 * @param workload the workload ({@code namespace/name}) it runs in, or empty for a host process
 * @param ip       the source address it connects from
 */
public record Client(String node, String workload, String ip) {
    public boolean isHostProcess() {
        return workload.isEmpty();
    }
}
