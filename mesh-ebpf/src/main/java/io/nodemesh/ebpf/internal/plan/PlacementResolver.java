package io.nodemesh.ebpf.internal.plan;

import java.util.OptionalLong;

/**
 * Turns a workload's {@code Placement} into the numbers the kernel sees. The agent implements it with real system calls
 * (a socket made inside the netns, {@code getsockopt(SO_NETNS_COOKIE)}; the cgroup directory's inode number is its
 * cgroup-v2 id); unit tests use a fake.
 */
public interface PlacementResolver {
    /** The netns cookie of the network namespace at {@code netnsPath} (e.g. {@code /var/run/netns/pod-a}), if it exists. */
    OptionalLong netnsCookie(String netnsPath);

    /** The cgroup-v2 id of {@code cgroupPath} (relative to the cgroup-v2 root), if it exists. */
    OptionalLong cgroupId(String cgroupPath);

    /** Resolves nothing: workloads are then known by address only. */
    PlacementResolver NONE = new PlacementResolver() {
        @Override
        public OptionalLong netnsCookie(String netnsPath) {
            return OptionalLong.empty();
        }

        @Override
        public OptionalLong cgroupId(String cgroupPath) {
            return OptionalLong.empty();
        }
    };
}
