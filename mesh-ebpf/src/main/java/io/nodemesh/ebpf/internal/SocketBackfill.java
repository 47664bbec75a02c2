package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.BackfillStats;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Optional;
import java.util.OptionalLong;
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

    private final OptionalIterator iterator;
    /** Namespaces already walked by this agent; the empty path stands for the host namespace. */
    private final Set<Path> done = new HashSet<>();

    private long runs;
    private long added;

    private SocketBackfill(OptionalIterator iterator) {
        this.iterator = iterator;
    }

    /** Loads the iterator next to the installation's pinned maps; never throws. */
    static SocketBackfill open(NodeInstallation installation) {
        return new SocketBackfill(OptionalIterator.load(
                installation,
                OBJECT,
                PROGRAM,
                object -> {
                    // Only sockets under the attach root, as sockops sees them: the program checks the socket's cgroup.
                    long root =
                            ((Number) Files.getAttribute(installation.settings().cgroupRoot(), "unix:ino")).longValue();
                    object.map(SCOPE_MAP)
                            .put(
                                    new byte[4],
                                    ByteBuffer.allocate(8)
                                            .order(ByteOrder.LITTLE_ENDIAN)
                                            .putLong(root)
                                            .array());
                },
                "connections established before the programs were attached keep the kernel stack"));
    }

    synchronized BackfillStats stats() {
        return new BackfillStats(iterator.unavailable(), runs, added);
    }

    /**
     * Walks the host namespace and those of {@code podNamespaces} not walked yet. Failures are logged, not thrown: the
     * apply that called this has already succeeded.
     */
    synchronized void run(Collection<Path> podNamespaces) {
        if (!iterator.available()) return;
        long before = added;
        int walked = 0;
        if (done.add(Path.of(""))) walked += runIn(Optional.empty());
        for (Path ns : podNamespaces) if (done.add(ns)) walked += runIn(Optional.of(ns));
        if (walked > 0) LOG.info("backfill: {} namespace(s) walked, {} socket(s) added", walked, added - before);
    }

    private int runIn(Optional<Path> netns) {
        OptionalLong n = iterator.run(netns); // empty: a pod namespace gone; the next agent start walks again
        if (n.isEmpty()) return 0;
        runs++;
        added += n.getAsLong();
        return 1;
    }

    @Override
    public synchronized void close() {
        iterator.close();
    }
}
