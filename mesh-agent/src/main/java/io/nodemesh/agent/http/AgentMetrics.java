package io.nodemesh.agent.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.Flows;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

/**
 * The agent's Prometheus metrics: applies and their latency, applies that failed or were held, flows by verdict and the
 * size of the applied state (what the backend's maps hold).
 */
public final class AgentMetrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter applies;
    private final Counter notApplied;
    private final Timer applyLatency;
    private final Map<Verdict, Counter> flows = new EnumMap<>(Verdict.class);
    private final Flows.Subscription subscription;
    private volatile AgentStatus.LastApply lastApply;
    private volatile AgentStatus.LastRefusal lastRefusal;

    public AgentMetrics(MeshDataplane dataplane) {
        applies = Counter.builder("nodemesh.applies")
                .description("applies that changed the dataplane")
                .register(registry);
        notApplied = Counter.builder("nodemesh.apply.failures")
                .description("states rejected, held back or failed in the backend (the previous state kept serving)")
                .register(registry);
        applyLatency = Timer.builder("nodemesh.apply.latency")
                .description("from the first change of a batch to the end of its apply")
                .publishPercentiles(0.5, 0.99)
                .register(registry);
        for (Verdict v : Verdict.values()) {
            flows.put(
                    v,
                    Counter.builder("nodemesh.flows")
                            .tag("verdict", v.name().toLowerCase(java.util.Locale.ROOT))
                            .description("flow events by verdict")
                            .register(registry));
        }
        Gauge.builder(
                        "nodemesh.state.objects",
                        dataplane,
                        d -> d.state().services().size())
                .tag("kind", "service")
                .register(registry);
        Gauge.builder(
                        "nodemesh.state.objects",
                        dataplane,
                        d -> d.state().workloads().size())
                .tag("kind", "workload")
                .register(registry);
        Gauge.builder(
                        "nodemesh.state.objects",
                        dataplane,
                        d -> d.state().nodes().size())
                .tag("kind", "node")
                .register(registry);
        Gauge.builder(
                        "nodemesh.state.objects",
                        dataplane,
                        d -> d.state().policies().size())
                .tag("kind", "policy")
                .register(registry);
        Gauge.builder(
                        "nodemesh.state.endpoints",
                        dataplane,
                        d -> d.state().services().stream()
                                .mapToInt(s -> s.endpoints().size())
                                .sum())
                .register(registry);
        Gauge.builder("nodemesh.flows.lost", dataplane, d -> d.flows().stats().lost())
                .description("flow events the backend could not deliver")
                .register(registry);
        subscription = dataplane.flows().subscribe(this::flow);
    }

    private void flow(FlowEvent event) {
        flows.get(event.verdict()).increment();
    }

    /** Counts one apply that changed the dataplane, and remembers it for {@code /status}. */
    public void recordApply(ApplyResult result, Duration took) {
        applies.increment();
        applyLatency.record(took);
        lastApply = new AgentStatus.LastApply(
                result.generation(),
                Instant.now().toString(),
                took.toNanos() / 1e6,
                result.changes().size());
    }

    /** Counts one state that was not applied, and remembers why for {@code /status}. */
    public void recordNotApplied(String reason) {
        notApplied.increment();
        lastRefusal = new AgentStatus.LastRefusal(Instant.now().toString(), reason);
    }

    /** The last apply that changed something, or null. */
    public AgentStatus.LastApply lastApply() {
        return lastApply;
    }

    /** The last refusal, or null. */
    public AgentStatus.LastRefusal lastRefusal() {
        return lastRefusal;
    }

    public long appliesTotal() {
        return (long) applies.count();
    }

    public long refusalsTotal() {
        return (long) notApplied.count();
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        return registry.scrape();
    }

    @Override
    public void close() {
        subscription.close();
        registry.close();
    }
}
