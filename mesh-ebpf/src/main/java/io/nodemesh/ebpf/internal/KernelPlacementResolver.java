package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.internal.plan.PlacementResolver;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/**
 * Placement → kernel numbers on this node: a netns cookie read with {@code getsockopt(SO_NETNS_COOKIE)} on a socket
 * made inside the namespace; a cgroup-v2 id, which is the inode number of the cgroup's directory.
 */
final class KernelPlacementResolver implements PlacementResolver {
    private final Libbpf libbpf;
    private final Path cgroupRoot;

    KernelPlacementResolver(Libbpf libbpf, Path cgroupRoot) {
        this.libbpf = libbpf;
        this.cgroupRoot = cgroupRoot;
    }

    @Override
    public OptionalLong netnsCookie(String netnsPath) {
        if (netnsPath.isEmpty() || !Files.exists(Path.of(netnsPath))) return OptionalLong.empty();
        try {
            return OptionalLong.of(libbpf.netnsCookie(netnsPath));
        } catch (BpfException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public OptionalLong cgroupId(String cgroupPath) {
        if (cgroupPath.isEmpty()) return OptionalLong.empty();
        Path dir = cgroupRoot.resolve(cgroupPath.replaceFirst("^/+", ""));
        try {
            return OptionalLong.of(((Number) Files.getAttribute(dir, "unix:ino")).longValue());
        } catch (IOException | UnsupportedOperationException e) {
            return OptionalLong.empty();
        }
    }
}
