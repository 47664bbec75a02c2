package io.nodemesh.api.internal;

import io.nodemesh.api.ApplyException;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.BackendHealth;
import io.nodemesh.api.Capability;
import io.nodemesh.api.FlowStats;
import io.nodemesh.api.Flows;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.ApplyPipeline;
import io.nodemesh.api.spi.Programmer;
import io.nodemesh.api.spi.StateChange;
import io.nodemesh.api.spi.UndoLog;
import io.nodemesh.api.state.MeshState;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * Several backends behind one {@link MeshDataplane}. The general validation runs once, for all; then each part applies
 * in turn, and when one rejects or fails the state, those that had already taken it are given the previous state back
 * (the parts have no separate check step), so the composite serves one state or the other, never a mix.
 */
public final class CompositeDataplane implements MeshDataplane {
    private final List<MeshDataplane> parts;
    private final ApplyPipeline pipeline;

    public CompositeDataplane(List<MeshDataplane> parts) {
        this.parts = List.copyOf(parts);
        this.pipeline = new ApplyPipeline(name(), new PartsProgrammer());
    }

    @Override
    public String name() {
        return parts.stream().map(MeshDataplane::name).collect(Collectors.joining("+"));
    }

    @Override
    public ApplyResult apply(MeshState next) {
        return pipeline.apply(next);
    }

    /** Applies the state to each part in turn; undoing a part applies the previous state to it again. */
    private final class PartsProgrammer implements Programmer {
        @Override
        public void program(StateChange change, UndoLog undo) {
            for (MeshDataplane part : parts) {
                try {
                    part.apply(change.next());
                } catch (InvalidStateException e) {
                    throw e;
                } catch (RuntimeException e) {
                    throw new ApplyException("backend " + part.name() + " failed: " + e.getMessage(), e);
                }
                undo.onFailure("backend " + part.name(), () -> part.apply(change.previous()));
            }
        }
    }

    @Override
    public MeshState state() {
        return pipeline.state();
    }

    @Override
    public Flows flows() {
        return new Flows() {
            @Override
            public Subscription subscribe(Consumer<io.nodemesh.api.FlowEvent> listener) {
                List<Subscription> subs =
                        parts.stream().map(p -> p.flows().subscribe(listener)).toList();
                return () -> subs.forEach(Subscription::close);
            }

            @Override
            public FlowStats stats() {
                return merge(parts.stream().map(p -> p.flows().stats()).toList());
            }
        };
    }

    private static FlowStats merge(List<FlowStats> all) {
        Map<io.nodemesh.api.Verdict, Long> verdicts = new HashMap<>();
        Map<String, Long> services = new HashMap<>();
        Map<io.nodemesh.api.FlowPath, Long> paths = new HashMap<>();
        long lost = 0;
        for (FlowStats s : all) {
            s.byVerdict().forEach((k, v) -> verdicts.merge(k, v, Long::sum));
            s.byService().forEach((k, v) -> services.merge(k, v, Long::sum));
            s.byPath().forEach((k, v) -> paths.merge(k, v, Long::sum));
            lost += s.lost();
        }
        return new FlowStats(verdicts, services, paths, lost);
    }

    @Override
    public Set<Capability> capabilities() {
        Set<Capability> all = EnumSet.noneOf(Capability.class);
        parts.forEach(p -> all.addAll(p.capabilities()));
        return all;
    }

    @Override
    public List<BackendHealth> health() {
        return parts.stream().flatMap(p -> p.health().stream()).toList();
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (MeshDataplane part : parts) {
            try {
                part.close();
            } catch (RuntimeException e) {
                if (first == null) first = e;
                else first.addSuppressed(e);
            }
        }
        if (first != null) throw first;
    }
}
