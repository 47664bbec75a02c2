package io.nodemesh.agent;

import io.nodemesh.agent.http.AgentMetrics;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.config.CheckedState;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.config.StateFileProblem;
import io.nodemesh.config.StateSnapshots;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The file-fed agent: applies the cluster-wide state file, and again whenever it changes. A bad edit is reported with
 * every problem (file, line, path, reason) and the running state keeps serving; so does an apply the backend refuses.
 * Editors save in many ways (in place, rename over, delete and create), so the whole directory is watched and the
 * file re-read on any event that names it.
 */
final class StateFileAgent implements AutoCloseable {
    /** Quiet time after the last event naming the file before it is read. */
    private static final Duration SETTLE = Duration.ofMillis(50);
    /** The longest a stream of events postpones the read. */
    private static final Duration SETTLE_AT_MOST = Duration.ofMillis(500);

    private final Path file;
    private final MeshDataplane dataplane;
    private final Optional<StateSnapshots> snapshots;
    private final PrintStream report;
    private final AgentMetrics metrics;
    private final WatchService watcher;
    private final Thread thread;
    private volatile List<String> problems = List.of("state file not applied yet");
    private volatile long applies;
    private volatile long rejections;

    StateFileAgent(
            Path file,
            Optional<StateSnapshots> snapshots,
            MeshDataplane dataplane,
            PrintStream report,
            AgentMetrics metrics)
            throws IOException {
        this.file = file.toAbsolutePath();
        this.snapshots = snapshots;
        this.dataplane = dataplane;
        this.report = report;
        this.metrics = metrics;
        this.watcher = FileSystems.getDefault().newWatchService();
        this.file
                .getParent()
                .register(
                        watcher,
                        StandardWatchEventKinds.ENTRY_CREATE,
                        StandardWatchEventKinds.ENTRY_MODIFY,
                        StandardWatchEventKinds.ENTRY_DELETE);
        this.thread = Thread.ofPlatform().name("nodemesh-state-file").daemon().unstarted(this::watch);
    }

    /** Applies the file once, then follows its changes on a thread of its own. */
    void start() {
        reload();
        thread.start();
    }

    /**
     * Like {@link #start()}, applying what {@code early} read if the file still holds those bytes: the watch is set up
     * already, so a save after that check is seen and applied next.
     */
    void start(StateFileRead early) {
        long started = System.nanoTime();
        Optional<StateFileRead.Outcome> read = early.ifCurrent();
        synchronized (this) {
            if (read.isPresent()) apply(read.get().checked(), started);
            else reload();
        }
        thread.start();
    }

    /** Why the agent is not current; empty when the file as it is now is applied. */
    List<String> problems() {
        return problems;
    }

    long applies() {
        return applies;
    }

    long rejections() {
        return rejections;
    }

    /** Reads, checks and applies the file; whatever is wrong leaves the running state as it is. */
    synchronized void reload() {
        long started = System.nanoTime();
        StateFileRead.Outcome read = StateFileRead.read(file, snapshots);
        if (read.failure() != null) {
            reject(List.of(file + ": cannot be read: " + read.failure().getMessage()));
            return;
        }
        apply(read.checked(), started);
    }

    private void apply(CheckedState checked, long started) {
        switch (checked) {
            case CheckedState.Invalid(List<StateFileProblem> found) ->
                reject(found.stream().map(StateFileProblem::toString).toList());
            case CheckedState.Valid(MeshState state) -> apply(state, started);
        }
    }

    private void apply(MeshState state, long started) {
        try {
            ApplyResult result = dataplane.apply(state);
            problems = List.of();
            if (result.unchanged()) {
                report.println("state file " + file.getFileName() + ": unchanged");
                return;
            }
            applies++;
            metrics.recordApply(result, Duration.ofNanos(System.nanoTime() - started));
            report.println("applied " + file.getFileName() + " (generation " + result.generation() + "): "
                    + (result.changes().size() <= 8
                            ? result.changes()
                            : result.changes().size() + " changes"));
        } catch (InvalidStateException e) {
            // From a snapshot the violations have no lines: parse the file itself for them.
            Optional<List<String>> located = snapshots.isPresent() ? locatedProblems() : Optional.empty();
            if (located.isPresent()) {
                reject(located.get());
                return;
            }
            reject(e.violations().stream().map(v -> file + ": " + v).toList());
        } catch (RuntimeException e) {
            reject(List.of("the " + dataplane.name() + " backend failed to apply " + file + " (it rolled back): "
                    + e.getMessage()));
        }
    }

    /** The file's own problems with their lines, if parsing it finds any. */
    private Optional<List<String>> locatedProblems() {
        try {
            return MeshStateFiles.check(file) instanceof CheckedState.Invalid(List<StateFileProblem> found)
                    ? Optional.of(found.stream().map(StateFileProblem::toString).toList())
                    : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private void reject(List<String> found) {
        rejections++;
        metrics.recordNotApplied(found.isEmpty() ? "refused" : found.getFirst());
        List<String> lines = new ArrayList<>();
        lines.add("NOT applied: " + file + " has " + found.size() + (found.size() == 1 ? " problem" : " problems")
                + "; the running state keeps serving:");
        found.forEach(p -> lines.add("  " + p));
        lines.forEach(report::println);
        problems = List.copyOf(lines);
    }

    private void watch() {
        try {
            while (true) {
                if (!namesOurFile(watcher.take())) continue;
                // An editor's save is several events in a row: let ours settle, then read once. Only events naming the
                // file count, and only for so long: a log written beside it must not postpone the read for ever.
                long latest = System.nanoTime() + SETTLE_AT_MOST.toNanos();
                long quiet = System.nanoTime() + SETTLE.toNanos();
                for (long now = System.nanoTime(); now < Math.min(quiet, latest); now = System.nanoTime()) {
                    WatchKey more = watcher.poll(Math.min(quiet, latest) - now, TimeUnit.NANOSECONDS);
                    if (more != null && namesOurFile(more)) quiet = System.nanoTime() + SETTLE.toNanos();
                }
                try {
                    reload();
                } catch (RuntimeException e) { // the watch must outlive any one bad read
                    reject(List.of(file + ": cannot be read: " + e));
                }
            }
        } catch (InterruptedException | ClosedWatchServiceException e) {
            // closing
        }
    }

    /**
     * Drains and re-arms {@code key}; true if one of its events names the state file, or if events were lost
     * (overflow), which may have hidden one.
     */
    private boolean namesOurFile(WatchKey key) {
        boolean ours = false;
        for (WatchEvent<?> ev : key.pollEvents()) {
            if (ev.kind() == StandardWatchEventKinds.OVERFLOW
                    || ev.context() instanceof Path p && p.getFileName().equals(file.getFileName())) ours = true;
        }
        key.reset();
        return ours;
    }

    @Override
    public void close() {
        try {
            watcher.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        thread.interrupt();
    }
}
