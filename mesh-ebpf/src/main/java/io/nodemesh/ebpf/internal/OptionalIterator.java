package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.IterLink;
import io.nodemesh.ebpf.bpf.LoadOptions;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One of the optional socket iterators (UDP reaping, backfill): its object loaded from the jar next to the
 * installation's pinned maps, its iterator attached and pinned (or both adopted from the pins, when the applied-state
 * record says they hold this very object, see {@link PinnedAdoption}), or the reason it could not be. Loading never throws, because the
 * dataplane works without these; what is missing is logged once and reported in the owner's stats.
 */
final class OptionalIterator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OptionalIterator.class);

    /** What the owner writes into the loaded object before its iterator is attached. */
    interface Preparation {
        void prepare(BpfObject object) throws IOException;
    }

    private final BpfObject object;
    private final IterLink link;
    private final String unavailable;

    private OptionalIterator(BpfObject object, IterLink link, String unavailable) {
        this.object = object;
        this.link = link;
        this.unavailable = unavailable;
    }

    /**
     * Loads {@code /io/nodemesh/ebpf/bpf/<objectName>.bpf.o} and attaches {@code program}.
     *
     * @param without what the node does without it, the start of the reason logged and reported
     */
    static OptionalIterator load(
            NodeInstallation installation, String objectName, String program, Preparation prepare, String without) {
        BpfObject object = null;
        IterLink link = null;
        try {
            ObjectSpec spec =
                    ObjectSpec.fromResource(NodeInstallation.class, "/io/nodemesh/ebpf/bpf/" + objectName + ".bpf.o");
            Bpf bpf = installation.bpf();
            Path pinRoot = installation.settings().pinRoot();
            Path linkPin = pinRoot.resolve(PinnedAdoption.PROGRAM_DIR).resolve(program + "-iter");
            Optional<InstalledObjects> recorded = installation.recorded();
            if (recorded.isPresent()) {
                Optional<String> changed = PinnedAdoption.changed(spec, recorded.get());
                String why = changed.orElse(null);
                if (why == null) {
                    try {
                        InstalledObjects.Installed o = recorded.get().object(objectName);
                        if (!program.equals(o.iterator()) || !Files.exists(linkPin))
                            throw new BpfException("iterator link pin " + linkPin + " is missing");
                        object = PinnedAdoption.open(bpf, pinRoot, o);
                        link = bpf.openPinnedIterLink(linkPin, program);
                        prepare.prepare(object);
                        installation.installed(o);
                        return new OptionalIterator(object, link, null);
                    } catch (RuntimeException e) {
                        why = e.getMessage();
                        if (link != null) link.close();
                        if (object != null) object.close();
                        link = null;
                        object = null;
                    }
                }
                LOG.info("eBPF: loading {} again: {}", objectName, why);
            }
            // The program pin goes first and comes back last: a load cut short leaves nothing to adopt.
            PinnedAdoption.unpin(
                    bpf, pinRoot.resolve(PinnedAdoption.PROGRAM_DIR).resolve(program));
            long t0 = System.nanoTime();
            object = bpf.load(spec, LoadOptions.DEFAULTS.withPinRoot(pinRoot).withMapSizes(installation.mapSizes()));
            LOG.info("eBPF timing: loaded {} in {} ms", objectName, (System.nanoTime() - t0) / 1_000_000);
            prepare.prepare(object);
            link = object.program(program).attachIterator();
            PinnedAdoption.unpin(bpf, linkPin);
            link.pin(linkPin);
            installation.installed(PinnedAdoption.pinLoaded(bpf, pinRoot, spec, object, program));
            return new OptionalIterator(object, link, null);
        } catch (RuntimeException | IOException e) {
            if (link != null) link.close();
            if (object != null) object.close();
            String reason = without + ": " + e.getMessage();
            LOG.warn("{}", reason);
            return new OptionalIterator(null, null, reason);
        }
    }

    boolean available() {
        return link != null;
    }

    /** Why it is not available; empty when it is. */
    Optional<String> unavailable() {
        return Optional.ofNullable(unavailable);
    }

    /** The loaded object, for its private maps; only when {@link #available()}. */
    BpfObject object() {
        return object;
    }

    /**
     * Runs the iterator in {@code netns} (empty: the host namespace) and counts the lines it printed, one per socket it
     * acted on. Empty when it could not run there: a pod namespace removed since the state named it is not worth
     * failing the others for.
     */
    OptionalLong run(Optional<Path> netns) {
        try {
            return OptionalLong.of(
                    link.run(netns).lines().filter(l -> !l.isBlank()).count());
        } catch (RuntimeException e) {
            LOG.debug(
                    "{} skipped {}: {}",
                    object.name(),
                    netns.map(Path::toString).orElse("the host namespace"),
                    e.getMessage());
            return OptionalLong.empty();
        }
    }

    @Override
    public void close() {
        if (link != null) link.close();
        if (object != null) object.close();
    }
}
