package io.nodemesh.ebpf.internal;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.ChangeKind;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Flows;
import io.nodemesh.api.spi.ApplyPipeline;
import io.nodemesh.api.spi.Programmer;
import io.nodemesh.api.spi.StateChange;
import io.nodemesh.api.spi.UndoLog;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Violation;
import io.nodemesh.api.state.Workload;
import io.nodemesh.ebpf.BackfillStats;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.ebpf.UdpReapStats;
import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.plan.KernelConfig;
import io.nodemesh.ebpf.internal.plan.MapPlan;
import io.nodemesh.ebpf.internal.plan.MapPlanner;
import io.nodemesh.ebpf.internal.plan.PlanLimits;
import io.nodemesh.ebpf.internal.plan.StaleUdpBackends;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply half of the dataplane, the eBPF step of the {@link ApplyPipeline}: MeshState → {@link MapPlan} (the kernel
 * engineer's planner) → the difference from what the maps hold, written by a {@link PlanWriter}. Also owns the flow
 * reader, which decodes with the latest state.
 */
public final class NodeProgrammer implements Programmer, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeProgrammer.class);

    private final String node;
    private final MapPlanner planner;
    private final KernelConfig config;
    private final PlanWriter writer;
    private final DataplaneFlows flows;
    private final UdpReaper udpReaper;
    private final SocketBackfill backfill;
    private final ApplyPipeline pipeline;
    private final AppliedRecordWriter record;
    private volatile MapPlan programmed;
    /** True until the first apply: the maps hold what a previous agent read back, not yet reconciled with a state. */
    private volatile boolean readBack = true;
    /** Until the first apply: whether the read-back can be diffed against (the applied-state record vouches for it). */
    private boolean readBackTrusted;
    /** Until the first apply: the {@link StateDigest} of the state the trusted read-back was planned from (or empty). */
    private final byte[] readBackState;

    private volatile long firstApplyWrites = -1;

    private MapPlan pending;
    /** Lookups over the state the maps hold (the pipeline's applied state). */
    private MeshIndex programmedIndex = MeshIndex.of(MeshState.EMPTY);

    private NodeProgrammer(
            String node,
            MapPlanner planner,
            KernelConfig config,
            PlanWriter writer,
            AppliedRecord.Resume resume,
            AppliedRecordWriter record,
            DataplaneFlows flows,
            UdpReaper udpReaper,
            SocketBackfill backfill) {
        this.node = node;
        this.record = record;
        this.readBackTrusted = resume.trusted();
        this.readBackState = resume.stateDigest();
        this.udpReaper = udpReaper;
        this.backfill = backfill;
        this.planner = planner;
        this.config = config;
        this.writer = writer;
        this.programmed = resume.held();
        this.flows = flows;
        this.pipeline = new ApplyPipeline("ebpf on node " + node, this);
    }

    public static NodeProgrammer start(NodeInstallation installation, DataplaneOptions options) {
        EbpfSettings settings = installation.settings();
        String node = options.node().isEmpty() ? hostname() : options.node();
        PlanLimits limits = PlanLimits.from(options);
        MapPlanner planner = new MapPlanner(
                limits, new KernelPlacementResolver(BpfSeam.libbpf(installation.bpf()), settings.cgroupRoot()));
        PlanWriter writer = new PlanWriter(installation::map);
        KernelConfig config = kernelConfig(settings);
        // After a restart the maps hold the previous agent's plan: start from what is really there, numbered as the
        // applied-state record says when it vouches for exactly these entries.
        // features sorted: the set's own order differs from one JVM to the next
        String planInputs = config.features().stream().sorted().toList() + " proxy " + config.proxyIp() + ":"
                + config.proxyPort() + " " + planner.limits();
        Path stateDir = options.get(EbpfSettings.STATE_DIR);
        Path recordFile = AppliedRecord.fileOf(stateDir, settings.pinRoot());
        long t0 = System.nanoTime();
        MapPlan readBack = writer.readBack();
        long t1 = System.nanoTime();
        AppliedRecord.Resume resume = AppliedRecord.resume(recordFile, readBack, node, planInputs);
        LOG.info(
                "eBPF timing: read back the maps in {} ms, checked the record in {} ms",
                (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
        if (!resume.trusted()) LOG.info("eBPF: {}; the first apply rewrites every entry", resume.reason());
        DataplaneFlows flows = new DataplaneFlows(
                installation.map("nm_events"),
                installation.map("nm_lost"),
                new FlowEventDecoder(
                        node, MeshIndex.of(MeshState.EMPTY), resume.held().allocations()));
        return new NodeProgrammer(
                node,
                planner,
                config,
                writer,
                resume,
                new AppliedRecordWriter(stateDir, recordFile, node, planInputs, installation::installedObjects),
                flows,
                UdpReaper.open(installation),
                SocketBackfill.open(installation));
    }

    static KernelConfig kernelConfig(EbpfSettings s) {
        var features = EnumSet.noneOf(KernelConfig.Feature.class);
        if (s.redirect()) features.add(KernelConfig.Feature.REDIRECT);
        if (s.policy()) features.add(KernelConfig.Feature.POLICY);
        if (s.loadBalancing()) features.add(KernelConfig.Feature.LOAD_BALANCING);
        return new KernelConfig(features, s.proxyIp(), s.proxyPort());
    }

    public ApplyResult apply(MeshState next) {
        return pipeline.apply(next);
    }

    @Override
    public List<Violation> check(StateChange change) {
        return planner.validate(change.next());
    }

    /** After a restart even the empty state is programmed once: the maps may hold what the old agent left. */
    @Override
    public boolean needsProgramming() {
        return readBack;
    }

    @Override
    public void program(StateChange change, UndoLog undo) {
        MapPlan was = programmed;
        if (readBack && holdsAlready(change.next(), was)) {
            // The maps hold what planning this state writes: verified (the read-back hashes to the record), resumed.
            firstApplyWrites = 0;
            pending = was;
            return;
        }
        long t0 = System.nanoTime();
        MapPlan plan = planner.plan(change.next(), node, config, was.allocations());
        long t1 = System.nanoTime();
        // undoes its own batches when one fails
        int written = readBack && !readBackTrusted ? writer.rewrite(was, plan) : writer.write(was, plan);
        if (readBack)
            LOG.info(
                    "eBPF timing: planned in {} ms, diffed and wrote in {} ms",
                    (t1 - t0) / 1_000_000,
                    (System.nanoTime() - t1) / 1_000_000);
        if (readBack) {
            firstApplyWrites = written;
            LOG.info(
                    "eBPF: first apply on node {} wrote {} map entries ({})",
                    node,
                    written,
                    readBackTrusted ? "diffed against the maps as read back" : "every entry rewritten");
        }
        undo.onFailure("the maps", () -> writer.write(plan, was));
        // Only now, with the removed backends gone from the maps, may sockets reconnect: they get a live one.
        List<Bytes> staleUdp = staleUdpBackends(change, was, plan);
        if (!staleUdp.isEmpty()) udpReaper.reap(staleUdp, podNamespaces(change.previous(), change.next()));
        pending = plan;
    }

    /**
     * Whether the maps as read back (trusted) were planned from this very state by this build, and the kernel still
     * numbers the node's workloads (netns cookies, cgroup ids) as they say: then planning would write nothing.
     */
    private boolean holdsAlready(MeshState next, MapPlan was) {
        if (!readBackTrusted || readBackState.length == 0) return false;
        long t0 = System.nanoTime();
        java.util.Optional<byte[]> digest = StateDigest.of(next);
        if (digest.isEmpty() || !java.util.Arrays.equals(digest.get(), readBackState)) return false;
        long t1 = System.nanoTime();
        var identities = planner.identityEntries(next, node, was.allocations());
        for (var e : identities.entrySet()) {
            if (!e.getValue().equals(was.entries(e.getKey()))) {
                LOG.info(
                        "eBPF: the maps hold this state, but {} differs from the kernel now (a pod's namespace or cgroup"
                                + " made anew?): planning it",
                        e.getKey().mapName());
                return false;
            }
        }
        LOG.info(
                "eBPF: first apply on node {}: the maps hold this very state (applied-state record), nothing planned or"
                        + " written (state digest {} ms, workload identities checked in {} ms)",
                node,
                (t1 - t0) / 1_000_000,
                (System.nanoTime() - t1) / 1_000_000);
        return true;
    }

    /**
     * UDP backends this apply took away. When it changed only services (and policies), only those services can have
     * lost any, and they are looked up by key; anything else walks every service.
     */
    private List<Bytes> staleUdpBackends(StateChange change, MapPlan was, MapPlan plan) {
        MeshIndex before = programmedIndex;
        Set<String> changed = new LinkedHashSet<>();
        for (ApplyResult.Change c : change.changes()) {
            if (c.kind() == ChangeKind.SERVICE) changed.add(c.key());
            else if (c.kind() != ChangeKind.POLICY) changed = null;
            if (changed == null) break;
        }
        if (changed == null || before.state() != change.previous())
            return StaleUdpBackends.between(change.previous(), was.allocations(), change.next(), plan.allocations());
        return StaleUdpBackends.ofServices(changed, before, was.allocations(), change.index(), plan.allocations());
    }

    @Override
    public void committed(StateChange change) {
        MapPlan plan = pending;
        programmed = plan;
        programmedIndex = change.index();
        readBack = false;
        readBackTrusted = true;
        pending = null;
        record.committed(plan, change.next());
        flows.decodeWith(() -> new FlowEventDecoder(node, change.index(), plan.allocations()));
        // Identities are in the maps now: sockets of local pods established before attach can join the sockhash.
        backfill.run(podNamespaces(change.next(), change.next()));
    }

    public MeshState state() {
        return pipeline.state();
    }

    /** The plan the maps hold now. */
    public MapPlan programmed() {
        return programmed;
    }

    public Flows flows() {
        return flows;
    }

    /**
     * Map entries the first apply after open wrote (-1 before it): 0 when a restarted agent found its maps holding the
     * state it was given.
     */
    public long firstApplyWrites() {
        return firstApplyWrites;
    }

    /** The applied-state record file, and how many records this programmer wrote. */
    public Path recordFile() {
        return record.file();
    }

    public long recordsWritten() {
        return record.written();
    }

    /** Closes, and removes the applied-state record instead of writing it: the maps are being removed. */
    public void closeForUninstall() {
        record.discard();
        close();
    }

    public UdpReapStats udpReapStats() {
        return udpReaper.stats();
    }

    public BackfillStats backfillStats() {
        return backfill.stats();
    }

    /** The network namespaces of this node's workloads, before and after: where their UDP sockets live. */
    private Set<Path> podNamespaces(MeshState before, MeshState after) {
        Set<Path> out = new LinkedHashSet<>();
        for (MeshState s : List.of(before, after)) {
            for (Workload w : s.workloads()) {
                if (w.node().equals(node) && !w.placement().netns().isEmpty())
                    out.add(Path.of(w.placement().netns()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        record.close();
        flows.close();
        udpReaper.close();
        backfill.close();
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
