package io.nodemesh.ebpf.internal;

import io.nodemesh.api.state.MeshState;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.plan.MapPlan;
import java.io.IOException;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the {@link AppliedRecord} in step with the maps, off the apply path: each commit hands over its plan and a
 * thread of its own hashes and writes the newest one (older ones not yet written are skipped). A record that lags
 * behind the maps (the agent was killed first) fails the restart's digest check and costs a full rewrite, never a
 * wrong diff.
 */
final class AppliedRecordWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(AppliedRecordWriter.class);

    private final Path file;
    private final Path stateDir;
    private final String node;
    private final String config;
    private final java.util.function.Supplier<InstalledObjects> objects;
    private final Thread thread;
    private MapPlan latest;
    private MeshState latestState;
    private boolean closed;
    private long written;

    AppliedRecordWriter(
            Path stateDir,
            Path file,
            String node,
            String config,
            java.util.function.Supplier<InstalledObjects> objects) {
        this.objects = objects;
        this.stateDir = stateDir;
        this.file = file;
        this.node = node;
        this.config = config;
        this.thread = Thread.ofPlatform().name("nodemesh-ebpf-record").daemon().start(this::run);
    }

    Path file() {
        return file;
    }

    /** The maps now hold {@code plan}, planned from {@code state}. */
    synchronized void committed(MapPlan plan, MeshState state) {
        latest = plan;
        latestState = state;
        notifyAll();
    }

    /** How many commits were recorded (each written first without, then with, its state's digest). */
    synchronized long written() {
        return written;
    }

    /** Writes what is pending, then stops. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) return;
            closed = true;
            notifyAll();
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops without writing what is pending and removes the record: the maps are going away. */
    void discard() {
        synchronized (this) {
            latest = null;
            latestState = null;
        }
        close();
        AppliedRecord.remove(file, stateDir);
    }

    private void write(byte[] digest, byte[] stateDigest, MapPlan plan) throws IOException {
        new AppliedRecord(
                        KernelAbi.LAYOUT_VERSION, node, config, digest, stateDigest, plan.allocations(), objects.get())
                .write(file);
    }

    private void run() {
        while (true) {
            MapPlan plan;
            MeshState state;
            synchronized (this) {
                while (latest == null && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        return;
                    }
                }
                if (latest == null) return;
                plan = latest;
                state = latestState;
                latest = null;
                latestState = null;
            }
            try {
                byte[] digest = AppliedRecord.digest(plan);
                // First without the state's digest (the cheap part: what a restart needs to diff against the maps),
                // then with it, unless a newer commit came meanwhile: an agent killed soon after an apply loses less.
                write(digest, new byte[0], plan);
                synchronized (this) {
                    written++;
                }
                byte[] stateDigest = StateDigest.of(state).orElse(null);
                synchronized (this) {
                    if (latest != null) continue;
                }
                if (stateDigest != null) write(digest, stateDigest, plan);
            } catch (IOException | RuntimeException e) {
                LOG.warn(
                        "cannot write the applied-state record {} ({}); a restart will rewrite every map entry",
                        file,
                        e.toString());
            }
        }
    }
}
