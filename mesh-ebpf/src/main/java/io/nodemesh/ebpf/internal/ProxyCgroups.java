package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.Codec;
import io.nodemesh.ebpf.bpf.HashMapView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Writes {@code nm_proxy_cgroups} from {@code ebpf.proxyCgroup}: connect4/6 do not steer sockets of processes in that
 * cgroup to the node proxy, so the proxy's own upstream connections to an L7 VIP (Envoy's ORIGINAL_DST passthrough)
 * reach a backend instead of looping back into it. Settings, not mesh state: written once when the dataplane opens,
 * replacing whatever an earlier agent left.
 */
public final class ProxyCgroups {
    static final String MAP = "nm_proxy_cgroups";

    private ProxyCgroups() {}

    /** Fails with the setting's name unless {@code ebpf.proxyCgroup} is empty or a cgroup-v2 directory. */
    public static void check(EbpfSettings settings) {
        if (!settings.proxyCgroup().isEmpty()) cgroupId(Path.of(settings.proxyCgroup()));
    }

    public static void program(NodeInstallation installation) {
        String configured = installation.settings().proxyCgroup();
        Set<Long> wanted = configured.isEmpty() ? Set.of() : Set.of(cgroupId(Path.of(configured)));
        HashMapView<Long, Integer> map = HashMapView.hash(installation.map(MAP), Codec.U64, Codec.U32);
        for (Long id : map.keys()) if (!wanted.contains(id)) map.remove(id);
        for (Long id : wanted) map.put(id, 1);
    }

    /** A cgroup-v2 id is the inode number of the cgroup's directory. */
    static long cgroupId(Path cgroup) {
        if (!Files.isDirectory(cgroup) || !Files.exists(cgroup.resolve("cgroup.procs"))) {
            throw new BpfException(
                    "ebpf.proxyCgroup = " + cgroup + " is not a cgroup-v2 directory (give the absolute path of the "
                            + "node proxy's cgroup, e.g. /sys/fs/cgroup/system.slice/envoy.service)");
        }
        try {
            return ((Number) Files.getAttribute(cgroup, "unix:ino")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new BpfException(
                    "ebpf.proxyCgroup = " + cgroup + ": cannot read its cgroup id (" + e.getMessage() + ")");
        }
    }
}
