package io.nodemesh.ebpf.internal;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.StateDiff;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.ebpf.NodeInstallation;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.UdpReapStats;
import io.nodemesh.ebpf.internal.plan.Bytes;
import io.nodemesh.ebpf.internal.plan.KernelConfig;
import io.nodemesh.ebpf.internal.plan.StaleUdpBackends;
import io.nodemesh.ebpf.internal.plan.MapPlan;
import io.nodemesh.ebpf.internal.plan.MapPlanner;
import io.nodemesh.ebpf.internal.plan.PlanLimits;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.List;

/**
 * The apply half of the dataplane: MeshState → {@link MapPlan} (the kernel engineer's planner) → the difference from
 * what the maps hold, written by a {@link PlanWriter}. Also owns the flow reader, which decodes with the latest state.
 */
public final class NodeProgrammer implements AutoCloseable {
    private final String node;
    private final MapPlanner planner;
    private final KernelConfig config;
    private final PlanWriter writer;
    private final DataplaneFlows flows;
    private final UdpReaper udpReaper;
    private MapPlan programmed;
    private MeshState state = MeshState.EMPTY;
    private long generation;

    private NodeProgrammer(String node, MapPlanner planner, KernelConfig config, PlanWriter writer, MapPlan programmed,
                           DataplaneFlows flows, UdpReaper udpReaper) {
        this.node = node;
        this.udpReaper = udpReaper;
        this.planner = planner;
        this.config = config;
        this.writer = writer;
        this.programmed = programmed;
        this.flows = flows;
    }

    public static NodeProgrammer start(NodeInstallation installation, DataplaneOptions options) {
        EbpfSettings settings = installation.settings();
        String node = options.node().isEmpty() ? hostname() : options.node();
        MapPlanner planner = new MapPlanner(PlanLimits.from(options),
                new KernelPlacementResolver(installation.bpf().libbpf(), settings.cgroupRoot()));
        PlanWriter writer = new PlanWriter(installation::map);
        // After a restart the maps hold the previous agent's plan: start from what is really there.
        MapPlan programmed = writer.readBack();
        DataplaneFlows flows = new DataplaneFlows(installation.map("nm_events"), installation.map("nm_lost"),
                new FlowEventDecoder(node, MeshState.EMPTY.index(), programmed.allocations()));
        return new NodeProgrammer(node, planner, kernelConfig(settings), writer, programmed, flows, UdpReaper.open(installation));
    }

    static KernelConfig kernelConfig(EbpfSettings s) {
        var features = EnumSet.noneOf(KernelConfig.Feature.class);
        if (s.redirect()) features.add(KernelConfig.Feature.REDIRECT);
        if (s.policy()) features.add(KernelConfig.Feature.POLICY);
        if (s.loadBalancing()) features.add(KernelConfig.Feature.LOAD_BALANCING);
        return new KernelConfig(features, s.proxyIp(), s.proxyPort());
    }

    public synchronized ApplyResult apply(MeshState next) {
        List<Violation> violations = new ArrayList<>(next.validate(state));
        if (violations.isEmpty()) violations.addAll(planner.validate(next));
        if (!violations.isEmpty()) throw new InvalidStateException(violations);
        MapPlan plan = planner.plan(next, node, config, programmed.allocations());
        writer.write(programmed, plan);
        // Only now, with the removed backends gone from the maps, may sockets reconnect: they get a live one.
        List<Bytes> staleUdp = StaleUdpBackends.between(state, programmed.allocations(), next, plan.allocations());
        if (!staleUdp.isEmpty()) udpReaper.reap(staleUdp, podNamespaces(state, next));
        var changes = StateDiff.between(state, next);
        programmed = plan;
        state = next;
        flows.decodeWith(() -> new FlowEventDecoder(node, next.index(), plan.allocations()));
        if (!changes.isEmpty()) generation++;
        return new ApplyResult(generation, changes);
    }

    public synchronized MeshState state() {
        return state;
    }

    /** The plan the maps hold now. */
    public synchronized MapPlan programmed() {
        return programmed;
    }

    public Flows flows() {
        return flows;
    }

    public UdpReapStats udpReapStats() {
        return udpReaper.stats();
    }

    /** The network namespaces of this node's workloads, before and after: where their UDP sockets live. */
    private Set<Path> podNamespaces(MeshState before, MeshState after) {
        Set<Path> out = new LinkedHashSet<>();
        for (MeshState s : List.of(before, after)) {
            for (Workload w : s.workloads()) {
                if (w.node().equals(node) && !w.placement().netns().isEmpty()) out.add(Path.of(w.placement().netns()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        flows.close();
        udpReaper.close();
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
