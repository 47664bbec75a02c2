package io.nodemesh.examples.lab;

import java.nio.file.Path;

/**
 * One pod of the lab: a network namespace on its node's pod bridge and a threaded cgroup below the node's.
 *
 * @param workload the workload key ({@code demo/svc-03-0})
 * @param name     the workload's name, which its servers answer with
 * @param node     its node
 * @param ip       its address
 * @param netns    its network namespace
 * @param veth     the node side of its veth pair
 * @param cgroup   its cgroup directory
 */
record LabPod(String workload, String name, LabNode node, String ip, String netns, String veth, Path cgroup) {
    Path netnsPath() {
        return Path.of("/var/run/netns", netns);
    }
}
