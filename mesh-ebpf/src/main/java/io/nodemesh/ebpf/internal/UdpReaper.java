package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.UdpReapStats;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.IterLink;
import io.nodemesh.ebpf.bpf.LoadOptions;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import io.nodemesh.ebpf.internal.abi.Bytes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
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

    private final BpfObject object;
    private final IterLink link;
    private final String unavailable;
    private long runs;
    private long destroyed;

    private UdpReaper(BpfObject object, IterLink link, String unavailable) {
        this.object = object;
        this.link = link;
        this.unavailable = unavailable;
    }

    /** Loads the iterator next to the installation's pinned maps (it reads {@code nm_revnat}); never throws. */
    static UdpReaper open(NodeInstallation installation) {
        BpfObject object = null;
        try {
            ObjectSpec spec =
                    ObjectSpec.fromResource(NodeInstallation.class, "/io/nodemesh/ebpf/bpf/" + OBJECT + ".bpf.o");
            object = installation
                    .bpf()
                    .load(
                            spec,
                            LoadOptions.DEFAULTS.withPinRoot(
                                    installation.settings().pinRoot()));
            IterLink link = object.program(PROGRAM).attachIterator();
            return new UdpReaper(object, link, null);
        } catch (RuntimeException e) {
            if (object != null) object.close();
            String reason = "connected UDP sockets are not re-balanced after backends go away: " + e.getMessage();
            LOG.warn("{}", reason);
            return new UdpReaper(null, null, reason);
        }
    }

    synchronized UdpReapStats stats() {
        return new UdpReapStats(Optional.ofNullable(unavailable), runs, destroyed);
    }

    /**
     * Destroys the connected UDP sockets pinned to any of {@code stale} in this namespace and in {@code netns}.
     * Failures are logged, not thrown: the apply that called this has already succeeded.
     */
    synchronized void reap(List<Bytes> stale, Collection<Path> netns) {
        if (link == null || stale.isEmpty()) return;
        long started = System.nanoTime(), destroyedBefore = destroyed;
        BpfMap map = object.map(STALE_MAP);
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
        String out;
        try {
            out = link.run(netns);
        } catch (RuntimeException e) {
            // A pod namespace removed since the state named it is not an error worth failing the others for.
            LOG.debug("UDP reaping skipped {}: {}", netns.map(Path::toString).orElse("host namespace"), e.getMessage());
            return;
        }
        runs++;
        long n = out.lines().filter(l -> !l.isBlank()).count();
        destroyed += n;
        if (n > 0)
            LOG.debug(
                    "destroyed {} connected UDP socket(s) pinned to removed backends in {}",
                    n,
                    netns.map(Path::toString).orElse("the host namespace"));
    }

    @Override
    public synchronized void close() {
        if (link != null) link.close();
        if (object != null) object.close();
    }
}
