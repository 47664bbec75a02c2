package io.nodemesh.api.spi;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowStats;
import io.nodemesh.api.Flows;
import io.nodemesh.api.Verdict;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fan-out of flow events to subscribers, with the counters every backend reports; backends publish into it.
 * A subscriber that throws is logged and kept; it never stops delivery to the others.
 */
public final class FlowHub implements Flows {
    private static final Logger LOG = LoggerFactory.getLogger(FlowHub.class);

    private final CopyOnWriteArrayList<Consumer<FlowEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<Verdict, LongAdder> byVerdict = new EnumMap<>(Verdict.class);
    private final Map<FlowPath, LongAdder> byPath = new EnumMap<>(FlowPath.class);
    private final Map<String, LongAdder> byService = new ConcurrentHashMap<>();
    private final AtomicLong lost = new AtomicLong();

    public FlowHub() {
        for (Verdict v : Verdict.values()) byVerdict.put(v, new LongAdder());
        for (FlowPath p : FlowPath.values()) byPath.put(p, new LongAdder());
    }

    /** Counts {@code event} and hands it to every subscriber. */
    public void publish(FlowEvent event) {
        byVerdict.get(event.verdict()).increment();
        byPath.get(event.path()).increment();
        if (!event.service().isEmpty())
            byService.computeIfAbsent(event.service(), k -> new LongAdder()).increment();
        for (Consumer<FlowEvent> listener : listeners) {
            try {
                listener.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("flow subscriber {} failed on {}", listener, event, e);
            }
        }
    }

    /** Records events the backend had to drop before they reached this hub. */
    public void lost(long count) {
        lost.addAndGet(count);
    }

    public boolean hasSubscribers() {
        return !listeners.isEmpty();
    }

    @Override
    public Subscription subscribe(Consumer<FlowEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public FlowStats stats() {
        Map<Verdict, Long> verdicts = new EnumMap<>(Verdict.class);
        byVerdict.forEach((k, v) -> verdicts.put(k, v.sum()));
        Map<FlowPath, Long> paths = new EnumMap<>(FlowPath.class);
        byPath.forEach((k, v) -> paths.put(k, v.sum()));
        Map<String, Long> services = new java.util.HashMap<>();
        byService.forEach((k, v) -> services.put(k, v.sum()));
        return new FlowStats(verdicts, services, paths, lost.get());
    }
}
