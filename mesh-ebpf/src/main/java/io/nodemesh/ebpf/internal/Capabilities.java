package io.nodemesh.ebpf.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** This process's effective Linux capabilities, from /proc/self/status. */
final class Capabilities {
    static final int CAP_NET_ADMIN = 12, CAP_SYS_ADMIN = 21, CAP_PERFMON = 38, CAP_BPF = 39;

    private Capabilities() {}

    /**
     * The CapEff mask.
     *
     * @throws IllegalStateException when /proc/self/status cannot be read or has no CapEff line: then nobody can tell
     */
    static long effective() {
        try {
            return Files.readAllLines(Path.of("/proc/self/status")).stream()
                    .filter(l -> l.startsWith("CapEff:"))
                    .map(l -> Long.parseUnsignedLong(l.substring(7).strip(), 16))
                    .findFirst()
                    .orElseThrow(() -> new IllegalStateException("/proc/self/status has no CapEff line"));
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException(
                    "cannot read this process's capabilities from /proc/self/status: " + e.getMessage(), e);
        }
    }

    static boolean has(long caps, int cap) {
        return (caps & (1L << cap)) != 0;
    }

    /** Loading and attaching cgroup/sockmap programs needs CAP_BPF + CAP_NET_ADMIN, or CAP_SYS_ADMIN. */
    static boolean canManageBpf(long caps) {
        return has(caps, CAP_SYS_ADMIN) || (has(caps, CAP_BPF) && has(caps, CAP_NET_ADMIN));
    }
}
