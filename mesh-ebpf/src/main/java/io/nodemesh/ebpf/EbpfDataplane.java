package io.nodemesh.ebpf;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.internal.NodeInstallation;
import io.nodemesh.ebpf.internal.NodeProgrammer;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * The eBPF dataplane of one node: nodemesh's programs loaded from the jar, attached once at a cgroup-v2 root, their
 * maps and links pinned under bpffs (settings: {@link EbpfSettings}).
 * <p>
 * {@link #apply} writes only the difference between what the maps hold and what the state needs, in an order that
 * never exposes a half state, and rolls back on failure. {@link #close()} stops managing and <em>leaves everything
 * running</em>: pinned links keep the programs attached and pinned maps keep the state, so established connections
 * (redirected ones included) carry on and a later {@link #open} reattaches. {@link #uninstall()} removes every pin
 * and attachment.
 */
public final class EbpfDataplane implements MeshDataplane {
    public static final String NAME = "ebpf";
    public static final Set<Capability> CAPABILITIES = Set.copyOf(
            EnumSet.of(Capability.SOCKET_LB, Capability.SOCKET_REDIRECT, Capability.L4_POLICY, Capability.FLOWS));

    private final NodeInstallation installation;
    private final NodeProgrammer programmer;
    private boolean closed;

    private EbpfDataplane(NodeInstallation installation, NodeProgrammer programmer) {
        this.installation = installation;
        this.programmer = programmer;
    }

    /**
     * Installs nodemesh's programs on this node, or reattaches to an installation pinned by an earlier agent.
     * Checks the cgroup and pin paths first; on any failure nothing this call made is left attached or pinned.
     *
     * @throws io.nodemesh.ebpf.bpf.BpfException naming what failed (path, errno, verifier log)
     */
    public static EbpfDataplane open(DataplaneOptions options) {
        return open(Bpf.system(), options);
    }

    /** Like {@link #open(DataplaneOptions)} over any {@link Bpf} (tests pass one over a fake libbpf). */
    public static EbpfDataplane open(Bpf bpf, DataplaneOptions options) {
        EbpfSettings settings = EbpfSettings.from(options);
        io.nodemesh.ebpf.internal.ProxyCgroups.check(settings); // before anything is attached
        // The maps are sized at load to hold the ebpf.max* limits.
        var mapSizes = io.nodemesh.ebpf.internal.MapCapacities.sizes(PlanLimits.from(options));
        io.nodemesh.ebpf.internal.EbpfAvailability.mountBpffsIfMissing(bpf, settings);
        NodeInstallation installation =
                NodeInstallation.install(bpf, settings, mapSizes, options.get(EbpfSettings.STATE_DIR));
        try {
            io.nodemesh.ebpf.internal.ProxyCgroups.program(installation);
            return new EbpfDataplane(installation, NodeProgrammer.start(installation, options));
        } catch (RuntimeException e) {
            installation.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    public EbpfSettings settings() {
        return installation.settings();
    }

    /** The loaded programs, pinned maps and links, for diagnostics and tests. */
    public EbpfInstallation installation() {
        return installation;
    }

    @Override
    public synchronized ApplyResult apply(MeshState next) {
        ensureOpen();
        return programmer.apply(next);
    }

    @Override
    public synchronized MeshState state() {
        return programmer.state();
    }

    @Override
    public Flows flows() {
        return programmer.flows();
    }

    /** How many TCP connections established before the programs were attached joined the sockhash. */
    public BackfillStats backfillStats() {
        return programmer.backfillStats();
    }

    /** Whether connected UDP sockets pinned to removed backends are broken after an apply, and how many were. */
    public UdpReapStats udpReapStats() {
        return programmer.udpReapStats();
    }

    @Override
    public Set<Capability> capabilities() {
        return CAPABILITIES;
    }

    /** Fill of every keyed map, counted in the kernel; a map more than 90% full is a problem. */
    @Override
    public synchronized List<BackendHealth> health() {
        ensureOpen();
        return List.of(io.nodemesh.ebpf.internal.MapFill.of(NAME, installation));
    }

    /** Stops managing; programs stay attached and maps pinned (see the class comment). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        programmer.close();
        installation.close();
    }

    /** Detaches every program and removes every pin under the pin root; the node is as before the first open. */
    public synchronized void uninstall() {
        ensureOpen();
        closed = true;
        programmer.closeForUninstall();
        installation.uninstall();
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("eBPF dataplane is closed");
    }
}
