package io.nodemesh.api.state;

/**
 * Where a workload lives on its node, as the kernel sees it. Both paths are empty for a workload that only exists in the
 * simulator, or whose node's backend finds it by address alone.
 *
 * @param netns  its network namespace, e.g. {@code /var/run/netns/pod-a}, or empty
 * @param cgroup its cgroup-v2 directory relative to the cgroup root, e.g. {@code kubepods/pod-a}, or empty
 */
public record Placement(String netns, String cgroup) {
    public static final Placement NONE = new Placement("", "");

    public Placement {
        netns = netns == null ? "" : netns;
        cgroup = cgroup == null ? "" : cgroup;
    }
}
