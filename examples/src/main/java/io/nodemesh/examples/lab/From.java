package io.nodemesh.examples.lab;

/**
 * Where lab traffic starts: a pod, or a process on a node outside every pod ({@code workload} null).
 *
 * @param node     the node it runs on
 * @param name     the pod's name, or {@link PodCommand#HOST}
 * @param workload the pod's workload key, or null for the host
 */
record From(LabNode node, String name, String workload) {
    static From pod(LabPod p) {
        return new From(p.node(), p.name(), p.workload());
    }

    static From host(LabNode n) {
        return new From(n, PodCommand.HOST, null);
    }

    boolean isHost() {
        return workload == null;
    }

    @Override
    public String toString() {
        return isHost() ? "host of " + node.name() : workload;
    }
}
