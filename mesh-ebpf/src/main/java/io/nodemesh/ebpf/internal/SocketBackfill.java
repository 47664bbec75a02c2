package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.BackfillStats;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.IterLink;
import io.nodemesh.ebpf.bpf.LoadOptions;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Adds TCP sockets established before the programs were attached to {@code nm_sockhash} (see bpf/backfill.bpf.c): runs
 * the {@code iter/tcp} program once in the host namespace, after the first apply of this agent (attach or adoption),
 * and once in each pod namespace of the node the first time an apply names it — a socket iterator only sees the
 * namespace it was created in, and only once the identity maps say which sockets belong to local pods.
 * <p>
 * Optional like {@link UdpReaper}: when the object cannot be loaded the dataplane works as before, pre-existing
 * connections just keep the kernel stack, and {@link #stats()} says why.
 */
final class SocketBackfill implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SocketBackfill.class);
    static final String OBJECT = "backfill";
    static final String PROGRAM = "nm_backfill";
    static final String SCOPE_MAP = "nm_backfill_scope";

    private final BpfObject object;
    private final IterLink link;
    private final String unavailable;
    /** Namespaces already walked by this agent; the empty path stands for the host namespace. */
    private final Set<Path> done = new HashSet<>();

    private long runs;
    private long added;

    private SocketBackfill(BpfObject object, IterLink link, String unavailable) {
        this.object = object;
        this.link = link;
        this.unavailable = unavailable;
    }

    /** Loads the iterator next to the installation's pinned maps; never throws. */
    static SocketBackfill open(NodeInstallation installation) {
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
            // Only sockets under the attach root, as sockops sees them: the program checks the socket's cgroup.
            long root = ((Number) Files.getAttribute(installation.settings().cgroupRoot(), "unix:ino")).longValue();
            object.map(SCOPE_MAP)
                    .put(
                            new byte[4],
                            ByteBuffer.allocate(8)
                                    .order(ByteOrder.LITTLE_ENDIAN)
                                    .putLong(root)
                                    .array());
            IterLink link = object.program(PROGRAM).attachIterator();
            return new SocketBackfill(object, link, null);
        } catch (RuntimeException | IOException e) {
            if (object != null) object.close();
            String reason = "connections established before the programs were attached keep the kernel stack: "
                    + e.getMessage();
            LOG.warn("{}", reason);
            return new SocketBackfill(null, null, reason);
        }
    }

    synchronized BackfillStats stats() {
        return new BackfillStats(Optional.ofNullable(unavailable), runs, added);
    }

    /**
     * Walks the host namespace and those of {@code podNamespaces} not walked yet. Failures are logged, not thrown: the
     * apply that called this has already succeeded.
     */
    synchronized void run(Collection<Path> podNamespaces) {
        if (link == null) return;
        long before = added;
        int walked = 0;
        if (done.add(Path.of(""))) walked += runIn(Optional.empty());
        for (Path ns : podNamespaces) if (done.add(ns)) walked += runIn(Optional.of(ns));
        if (walked > 0) LOG.info("backfill: {} namespace(s) walked, {} socket(s) added", walked, added - before);
    }

    private int runIn(Optional<Path> netns) {
        String out;
        try {
            out = link.run(netns);
        } catch (RuntimeException e) {
            // A pod namespace gone since the state named it; the next agent start walks again.
            LOG.debug("backfill skipped {}: {}", netns.map(Path::toString).orElse("host namespace"), e.getMessage());
            return 0;
        }
        runs++;
        added += out.lines().filter(l -> !l.isBlank()).count();
        return 1;
    }

    @Override
    public synchronized void close() {
        if (link != null) link.close();
        if (object != null) object.close();
    }
}
