package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.UdpReapStats;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.internal.abi.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Breaks connected UDP sockets that still point at a backend an apply took away (see bpf/udp_reap.bpf.c): writes the
 * stale (service, backend) pairs into the object's private {@code nm_udp_stale} map and runs the {@code iter/udp}
 * program, which calls {@code bpf_sock_destroy} (kernel ≥ 6.5), in the host namespace and in every pod namespace of
 * the node — a socket iterator only sees the namespace it was created in.
 * <p>
 * Optional by design: when the object cannot be loaded (no kfunc, no BTF at build time, a fake libbpf) the dataplane
 * works as before and {@link #stats()} says why reaping is off.
 */
final class UdpReaper implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpReaper.class);
    static final String OBJECT = "udp_reap";
    static final String PROGRAM = "nm_udp_reap";
    static final String STALE_MAP = "nm_udp_stale";
    /** NM_MAX_UDP_STALE in bpf/nodemesh.h: more stale pairs are handled in several runs. */
    static final int MAX_STALE = io.nodemesh.ebpf.internal.abi.KernelAbi.MAX_UDP_STALE;

    private final OptionalIterator iterator;
    private long runs;
    private long destroyed;

    private UdpReaper(OptionalIterator iterator) {
        this.iterator = iterator;
    }

    /** Loads the iterator next to the installation's pinned maps (it reads {@code nm_revnat}); never throws. */
    static UdpReaper open(NodeInstallation installation) {
        return new UdpReaper(OptionalIterator.load(
                installation,
                OBJECT,
                PROGRAM,
                object -> {},
                "connected UDP sockets are not re-balanced after backends go away"));
    }

    synchronized UdpReapStats stats() {
        return new UdpReapStats(iterator.unavailable(), runs, destroyed);
    }

    /**
     * Destroys the connected UDP sockets pinned to any of {@code stale} in this namespace and in {@code netns}.
     * Failures are logged, not thrown: the apply that called this has already succeeded.
     */
    synchronized void reap(List<Bytes> stale, Collection<Path> netns) {
        if (!iterator.available() || stale.isEmpty()) return;
        long started = System.nanoTime(), destroyedBefore = destroyed;
        BpfMap map = iterator.object().map(STALE_MAP);
        for (int from = 0; from < stale.size(); from += MAX_STALE) {
            List<Bytes> chunk = stale.subList(from, Math.min(stale.size(), from + MAX_STALE));
            List<BpfMap.Key> keys = new ArrayList<>(chunk.size());
            try {
                for (Bytes k : chunk) {
                    map.put(k.toArray(), new byte[4]);
                    keys.add(new BpfMap.Key(k.toArray()));
                }
                runIn(Optional.empty());
                for (Path ns : netns) runIn(Optional.of(ns));
            } catch (RuntimeException e) {
                LOG.warn(
                        "reaping connected UDP sockets of {} removed backends failed: {}",
                        chunk.size(),
                        e.getMessage());
            } finally {
                for (BpfMap.Key k : keys) map.delete(k.bytes());
            }
        }
        LOG.info(
                "UDP reaping: {} stale backend(s), {} namespace(s), {} socket(s) destroyed in {} ms",
                stale.size(),
                netns.size() + 1,
                destroyed - destroyedBefore,
                String.format("%.2f", (System.nanoTime() - started) / 1e6));
    }

    private void runIn(Optional<Path> netns) {
        OptionalLong n = iterator.run(netns);
        if (n.isEmpty()) return;
        runs++;
        destroyed += n.getAsLong();
        if (n.getAsLong() > 0)
            LOG.debug(
                    "destroyed {} connected UDP socket(s) pinned to removed backends in {}",
                    n.getAsLong(),
                    netns.map(Path::toString).orElse("the host namespace"));
    }

    @Override
    public synchronized void close() {
        iterator.close();
    }
}
