package io.nodemesh.examples.calibrate;

import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.planner.calibration.RedirectPath;
import java.nio.file.Path;

/** A live eBPF redirect of a calibration; {@link #close()} uninstalls it, then removes its cgroup. */
final class EbpfInstalled implements RedirectPath.Installed {
    private final EbpfDataplane dp;
    private final Bpf.RunStats stats;
    private final Path cgroup;
    private final Path pins;
    private boolean closed;

    EbpfInstalled(EbpfDataplane dp, Bpf.RunStats stats, Path cgroup, Path pins) {
        this.dp = dp;
        this.stats = stats;
        this.cgroup = cgroup;
        this.pins = pins;
    }

    @Override
    public Path cgroup() {
        return cgroup;
    }

    /** {@code nm_msg}'s run count: sk_msg runs once per message sent on a socket in {@code nm_sockhash}. */
    @Override
    public long messagesHandled() {
        return dp.installation().program("nm_msg").info().runCount();
    }

    @Override
    public int socketsBetween(String ipA, String ipB, int port) {
        int n = 0;
        for (byte[] key : dp.installation().map("nm_sockhash").keys()) {
            if (SockKey.decode(key).between(ipA, ipB, port)) n++;
        }
        return n;
    }

    @Override
    public String description() {
        return "nodemesh eBPF dataplane (sockops + sk_msg nm_msg redirect)";
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        RuntimeException failure = null;
        try {
            stats.close();
            dp.uninstall();
        } catch (RuntimeException e) {
            failure = e;
        }
        // Whatever uninstall did, no pin or cgroup of this run may outlive it.
        try {
            StaleKernelObjects.remove(pins, cgroup);
        } catch (RuntimeException e) {
            if (failure == null) failure = e;
            else failure.addSuppressed(e);
        }
        if (failure != null) throw failure;
    }
}
