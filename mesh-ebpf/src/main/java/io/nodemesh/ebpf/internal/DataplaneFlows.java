package io.nodemesh.ebpf.internal;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowStats;
import io.nodemesh.api.Flows;
import io.nodemesh.api.spi.FlowHub;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.Codec;
import io.nodemesh.ebpf.bpf.RingBuffer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The flow events of the node: {@code nm_events} read by a {@link RingBuffer}, decoded with the latest applied state,
 * published to a {@link FlowHub}. Lost events are the kernel's per-CPU {@code nm_lost} counters (records that did not
 * fit the ring) plus records the reader had to drop.
 */
public final class DataplaneFlows implements Flows, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DataplaneFlows.class);

    private final FlowHub hub = new FlowHub();
    private final BpfMap lostCounter;
    private final RingBuffer<FlowEvent> ring;
    /** Built on first use: an apply only swaps the supplier (building an index of a big state costs milliseconds). */
    private volatile java.util.function.Supplier<FlowEventDecoder> decoder;

    private long kernelLostSeen;
    private long readerLostSeen;

    DataplaneFlows(BpfMap events, BpfMap lostCounter, FlowEventDecoder decoder) {
        this.decoder = () -> decoder;
        this.lostCounter = lostCounter;
        this.kernelLostSeen = kernelLost();
        this.ring = RingBuffer.open(events, record -> this.decoder.get().decode(record), hub::publish);
    }

    /** Decodes with what {@code next} makes from now on; it is called at most once, when the first event comes. */
    void decodeWith(java.util.function.Supplier<FlowEventDecoder> next) {
        Object lock = new Object();
        FlowEventDecoder[] made = new FlowEventDecoder[1];
        decoder = () -> {
            synchronized (lock) {
                if (made[0] == null) made[0] = next.get();
                return made[0];
            }
        };
    }

    @Override
    public Subscription subscribe(Consumer<FlowEvent> listener) {
        return hub.subscribe(listener);
    }

    @Override
    public synchronized FlowStats stats() {
        long kernel = kernelLost();
        long reader = ring.dropped();
        hub.lost(Math.max(0, kernel - kernelLostSeen) + (reader - readerLostSeen));
        kernelLostSeen = Math.max(kernel, kernelLostSeen);
        readerLostSeen = reader;
        return hub.stats();
    }

    private long kernelLost() {
        try {
            return lostCounter
                    .lookupPerCpu(Codec.U32.encode(0))
                    .map(values -> values.stream()
                            .mapToLong(v -> ByteBuffer.wrap(v)
                                    .order(ByteOrder.LITTLE_ENDIAN)
                                    .getLong())
                            .sum())
                    .orElse(0L);
        } catch (RuntimeException e) {
            LOG.debug("cannot read nm_lost: {}", e.toString());
            return 0;
        }
    }

    @Override
    public void close() {
        ring.close();
    }
}
