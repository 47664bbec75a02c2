package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Reads a RINGBUF map. A platform thread polls libbpf (it blocks in epoll, which a virtual thread must not) and only
 * copies records into a bounded queue, so the kernel's ring drains fast; a second thread decodes and delivers them.
 * Records the queue cannot take are counted in {@link #dropped()} rather than stalling the ring.
 */
public final class RingBuffer<T> implements AutoCloseable {
    private static final int POLL_MILLIS = 100;

    private final Libbpf libbpf;
    private final BpfMap map;
    private final long ring;
    private final BlockingQueue<byte[]> queue;
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread poller;
    private final Thread dispatcher;
    private volatile boolean running = true;

    private RingBuffer(BpfMap map, Function<byte[], T> decoder, Consumer<T> consumer, int queueCapacity) {
        this.libbpf = map.libbpf();
        this.map = map;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.ring = libbpf.openRing(map.fd(), record -> {
            if (!queue.offer(record)) dropped.incrementAndGet();
        });
        this.poller =
                Thread.ofPlatform().daemon().name("nodemesh-ring-" + map.name()).unstarted(this::poll);
        this.dispatcher = Thread.ofPlatform()
                .daemon()
                .name("nodemesh-ring-" + map.name() + "-deliver")
                .unstarted(() -> dispatch(decoder, consumer));
        poller.start();
        dispatcher.start();
    }

    /**
     * Starts reading {@code map}, decoding each record with {@code decoder} and handing it to {@code consumer} on the
     * delivery thread. A decoder or consumer that throws loses that record only.
     */
    public static <T> RingBuffer<T> open(BpfMap map, Function<byte[], T> decoder, Consumer<T> consumer) {
        MapViews.require(map, "ring buffer", null, null, MapType.RINGBUF);
        return new RingBuffer<>(map, decoder, consumer, 65_536);
    }

    private void poll() {
        while (running) {
            try {
                libbpf.pollRing(ring, POLL_MILLIS);
            } catch (BpfException e) {
                if (running)
                    System.getLogger(RingBuffer.class.getName())
                            .log(
                                    System.Logger.Level.WARNING,
                                    "polling ring buffer " + map.name() + " failed; stopping",
                                    e);
                return;
            }
        }
    }

    private void dispatch(Function<byte[], T> decoder, Consumer<T> consumer) {
        while (running || !queue.isEmpty()) {
            byte[] record;
            try {
                record = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            if (record == null) continue;
            try {
                consumer.accept(decoder.apply(record));
                delivered.incrementAndGet();
            } catch (RuntimeException e) {
                dropped.incrementAndGet();
                System.getLogger(RingBuffer.class.getName())
                        .log(
                                System.Logger.Level.WARNING,
                                "ring buffer " + map.name() + " record could not be decoded or delivered",
                                e);
            }
        }
    }

    /** Records handed to the consumer. */
    public long delivered() {
        return delivered.get();
    }

    /** Records taken from the ring but not delivered (queue full, or decoder/consumer failed). */
    public long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        if (!running) return;
        running = false;
        try {
            poller.join();
            dispatcher.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            libbpf.closeRing(ring); // only after the poller left libbpf
        }
    }
}
