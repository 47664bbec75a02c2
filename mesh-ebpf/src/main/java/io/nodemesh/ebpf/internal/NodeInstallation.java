package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.ebpf.EbpfInstallation;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.CgroupAttach;
import io.nodemesh.ebpf.bpf.CgroupLink;
import io.nodemesh.ebpf.bpf.LoadOptions;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import io.nodemesh.ebpf.bpf.Program;
import io.nodemesh.ebpf.bpf.SkMsgAttach;
import io.nodemesh.ebpf.bpf.SkMsgLink;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * nodemesh's programs on one node: the objects from the jar loaded with their maps pinned under the pin root, the
 * cgroup programs attached at the cgroup root through pinned links, {@code sk_msg} attached to {@code nm_sockhash}.
 * {@link EbpfDataplane#installation()} shows it as an {@link EbpfInstallation}; installing, closing and uninstalling
 * stay inside the backend.
 * <p>
 * Installing over an earlier installation reuses its pinned maps (so the state and the sockets in the sockhash are
 * kept) and swaps the freshly loaded programs into its pinned links with {@code BPF_LINK_UPDATE}, so no hook is ever
 * detached across an agent restart.
 */
public final class NodeInstallation implements EbpfInstallation, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeInstallation.class);

    /** The objects bpf/build.sh compiles into the jar, in load order. */
    static final List<String> OBJECTS = List.of("service", "redirect", "steering");

    static final String RESOURCE_DIR = "/io/nodemesh/ebpf/bpf/";
    static final String SOCKHASH = "nm_sockhash";
    static final String CONFIG = "nm_config";
    static final String LINK_DIR = "links";
    /** NM_LAYOUT_VERSION of bpf/nodemesh.h this agent writes. */
    public static final int LAYOUT_VERSION = KernelAbi.LAYOUT_VERSION;

    private final Bpf bpf;
    private final EbpfSettings settings;
    private final List<BpfObject> objects;
    private final Map<String, BpfMap> maps;
    private final Map<String, Program> programs;
    private final Map<String, CgroupLink> links;
    private final List<SkMsgLink> skMsgLinks;
    private final boolean reattached;
    /** What the record will say was installed; the optional iterators add themselves as they load or adopt. */
    private volatile InstalledObjects installed;
    /** What the record said was installed when this agent started (for the iterators to adopt from). */
    private final Optional<InstalledObjects> recorded;

    private boolean closed;

    private NodeInstallation(
            Bpf bpf,
            EbpfSettings settings,
            List<BpfObject> objects,
            Map<String, CgroupLink> links,
            List<SkMsgLink> skMsgLinks,
            boolean reattached,
            InstalledObjects installed,
            Optional<InstalledObjects> recorded) {
        this.installed = installed;
        this.recorded = recorded;
        this.bpf = bpf;
        this.skMsgLinks = List.copyOf(skMsgLinks);
        this.settings = settings;
        this.objects = objects;
        this.links = links;
        this.reattached = reattached;
        Map<String, BpfMap> m = new LinkedHashMap<>();
        Map<String, Program> p = new LinkedHashMap<>();
        for (BpfObject o : objects) {
            o.maps().forEach((name, map) -> {
                if (!name.startsWith(".")) m.putIfAbsent(name, map);
            });
            p.putAll(o.programs());
        }
        this.maps = Map.copyOf(m);
        this.programs = Map.copyOf(p);
    }

    /**
     * Loads, pins and attaches, or takes over what an earlier agent pinned. Paths are checked before anything is
     * loaded; on failure everything this call attached or pinned is removed again (earlier pins are left alone).
     * The named maps are created with the given {@code max_entries} ({@link MapCapacities#sizes}); a pinned map
     * smaller than asked is refused naming both sizes, and the earlier installation keeps serving.
     * <p>
     * When the applied-state record under {@code stateDir} says the pins hold these very objects (same SHA-256, same
     * sizes asked, every program pin of the recorded id), nothing is loaded: the pins are adopted
     * ({@link PinnedAdoption}); otherwise one log line says why every object is loaded again.
     */
    public static NodeInstallation install(
            Bpf bpf, EbpfSettings settings, Map<String, Integer> mapSizes, Path stateDir) {
        return install(
                bpf,
                settings,
                mapSizes,
                OBJECTS.stream()
                        .map(n -> ObjectSpec.fromResource(NodeInstallation.class, RESOURCE_DIR + n + ".bpf.o"))
                        .toList(),
                PinnedAdoption.recorded(AppliedRecord.fileOf(stateDir, settings.pinRoot())));
    }

    /** {@code dir} or the nearest directory above it that exists; null when none does. */
    static Path nearestExisting(Path dir) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        return existing;
    }

    static NodeInstallation install(
            Bpf bpf,
            EbpfSettings settings,
            Map<String, Integer> mapSizes,
            List<ObjectSpec> specs,
            PinnedAdoption.Recorded recorded) {
        bpf.requireCgroup2(settings.cgroupRoot());
        Path pinRoot = settings.pinRoot();
        // The pin root may not exist yet; the nearest existing directory above it must be on bpffs.
        Path existing = nearestExisting(pinRoot);
        if (existing == null) throw new BpfException("pin root " + pinRoot + " must be a directory on a bpffs mount");
        bpf.requirePinDirectory(existing);
        Deque<Step> undo = new ArrayDeque<>();
        List<BpfObject> objects = new ArrayList<>();
        Map<String, CgroupLink> links = new LinkedHashMap<>();
        List<SkMsgLink> skMsgLinks = new ArrayList<>();
        try {
            boolean fresh = createDirectory(pinRoot, undo);
            createDirectory(pinRoot.resolve(LINK_DIR), undo);
            List<String> pinsBefore = list(pinRoot);
            checkLayoutVersion(bpf, pinRoot);
            String why = recorded.reason();
            if (!fresh && recorded.objects().isPresent()) {
                long started = System.nanoTime();
                switch (PinnedAdoption.adopt(
                        bpf, pinRoot, mapSizes, specs, recorded.objects().get())) {
                    case PinnedAdoption.Adopted a -> {
                        NodeInstallation adopted = adopted(
                                bpf, settings, a.objects(), recorded.objects().get());
                        LOG.info(
                                "eBPF dataplane adopted at {} (pins under {}, objects unchanged, nothing loaded) in {}"
                                        + " ms: programs {}",
                                settings.cgroupRoot(),
                                pinRoot,
                                (System.nanoTime() - started) / 1_000_000,
                                adopted.programs.keySet());
                        return adopted;
                    }
                    case PinnedAdoption.Refused r -> why = r.reason();
                }
            }
            if (!fresh) LOG.info("eBPF: loading every object again: {}", why);
            long loadStarted = System.nanoTime();
            for (ObjectSpec spec : specs)
                objects.add(
                        bpf.load(spec, LoadOptions.DEFAULTS.withPinRoot(pinRoot).withMapSizes(mapSizes)));
            LOG.info(
                    "eBPF timing: loaded {} objects in {} ms",
                    specs.size(),
                    (System.nanoTime() - loadStarted) / 1_000_000);
            // Maps libbpf pinned just now are ours to remove if a later step fails.
            for (String pin : list(pinRoot)) {
                if (!pinsBefore.contains(pin) && !pin.equals(LINK_DIR) && !pin.equals(PinnedAdoption.PROGRAM_DIR))
                    undo.push(
                            () -> BpfSeam.libbpf(bpf).unpin(pinRoot.resolve(pin).toString()));
            }
            // Before any program is swapped in (a refused load leaves them be): an install cut short from here on must
            // leave no program pin an older record could vouch for.
            PinnedAdoption.unpinAll(bpf, pinRoot);
            createDirectory(pinRoot.resolve(PinnedAdoption.PROGRAM_DIR), undo);
            for (BpfObject o : objects) {
                for (Program p : o.programs().values()) {
                    if (p.type() == Program.TYPE_SK_MSG) {
                        BpfMap sockhash = o.map(SOCKHASH);
                        SkMsgLink link = p.attach(new SkMsgAttach(sockhash)); // the map holds the attachment
                        skMsgLinks.add(link);
                        // On a new sockhash, undo detaches; on a reused one our program replaced the old agent's
                        // (same job), and detaching would leave the running installation without one.
                        if (!pinsBefore.contains(SOCKHASH)) undo.push(link::detach);
                    } else if (p.type() == Program.TYPE_SOCK_OPS
                            || p.type() == Program.TYPE_CGROUP_SOCK_ADDR
                            || p.type() == Program.TYPE_CGROUP_SOCKOPT) {
                        links.put(
                                p.name(),
                                attachOrReuse(
                                        bpf,
                                        p,
                                        attachPoint(settings, p),
                                        pinRoot.resolve(LINK_DIR).resolve(p.name()),
                                        undo));
                    }
                }
            }
            // Pinned last, once attached: only a load that got this far can be adopted by the next agent.
            List<InstalledObjects.Installed> described = new ArrayList<>();
            for (int i = 0; i < specs.size(); i++) {
                InstalledObjects.Installed d = PinnedAdoption.pinLoaded(bpf, pinRoot, specs.get(i), objects.get(i), "");
                described.add(d);
                for (var prog : d.programs())
                    undo.push(() -> PinnedAdoption.unpin(
                            bpf, pinRoot.resolve(PinnedAdoption.PROGRAM_DIR).resolve(prog.name())));
            }
            Map<String, Integer> sizes = new LinkedHashMap<>();
            objects.forEach(o -> PinnedAdoption.sizes(o).forEach(sizes::putIfAbsent));
            NodeInstallation installation = new NodeInstallation(
                    bpf,
                    settings,
                    objects,
                    links,
                    skMsgLinks,
                    !fresh,
                    new InstalledObjects(mapSizes, sizes, described),
                    recorded.objects());
            LOG.info(
                    "eBPF dataplane {} at {} (pins under {}): programs {}",
                    fresh ? "installed" : "reattached",
                    settings.cgroupRoot(),
                    pinRoot,
                    installation.programs.keySet());
            return installation;
        } catch (RuntimeException e) {
            // Undo first: it detaches (unpin + close) what this call attached; closing first would leave pinned links.
            while (!undo.isEmpty()) safely(undo.pop());
            links.values().forEach(l -> safely(l::close)); // links reused from an earlier agent stay as they were
            objects.forEach(o -> safely(o::close));
            throw e;
        }
    }

    /**
     * An installation over objects opened from their pins: the cgroup links are opened as pinned (they already run
     * these programs), {@code sk_msg} is attached to the sockhash again (the same program: no change for any socket).
     */
    private static NodeInstallation adopted(
            Bpf bpf, EbpfSettings settings, List<BpfObject> objects, InstalledObjects recorded) {
        Map<String, CgroupLink> links = new LinkedHashMap<>();
        List<SkMsgLink> skMsgLinks = new ArrayList<>();
        try {
            for (BpfObject o : objects) {
                for (Program p : o.programs().values()) {
                    if (p.type() == Program.TYPE_SK_MSG) {
                        skMsgLinks.add(p.attach(new SkMsgAttach(o.map(SOCKHASH))));
                    } else if (p.type() == Program.TYPE_SOCK_OPS
                            || p.type() == Program.TYPE_CGROUP_SOCK_ADDR
                            || p.type() == Program.TYPE_CGROUP_SOCKOPT) {
                        links.put(
                                p.name(),
                                bpf.openPinnedCgroupLink(
                                        settings.pinRoot().resolve(LINK_DIR).resolve(p.name())));
                    }
                }
            }
        } catch (RuntimeException e) {
            links.values().forEach(l -> safely(l::close));
            objects.forEach(o -> safely(o::close));
            throw e;
        }
        List<InstalledObjects.Installed> mine = new ArrayList<>();
        for (BpfObject o : objects) mine.add(recorded.object(o.name()));
        return new NodeInstallation(
                bpf,
                settings,
                objects,
                links,
                skMsgLinks,
                true,
                new InstalledObjects(recorded.askedSizes(), recorded.mapSizes(), mine),
                Optional.of(recorded));
    }

    /** What the applied-state record is to say was installed. */
    InstalledObjects installedObjects() {
        return installed;
    }

    /** An optional iterator object loaded or adopted after install: the record names it too. */
    void installed(InstalledObjects.Installed object) {
        installed = installed.with(object);
    }

    /** What the record said was installed when this agent started; empty when it said nothing usable. */
    Optional<InstalledObjects> recorded() {
        return recorded;
    }

    /**
     * Where a cgroup program attaches: the cgroup root, except the {@code cgroup/getsockopt} hook of steering.bpf.o.
     * It runs on every getsockopt of every socket below its cgroup (about +0.5 µs each, docs/ebpf.md) and only the node
     * proxy's sockets need it, so it goes to {@code ebpf.proxyCgroup} when that is given. The pinned link keeps its
     * cgroup across restarts: changing {@code ebpf.proxyCgroup} needs an uninstall first.
     */
    static Path attachPoint(EbpfSettings settings, Program program) {
        boolean proxyOnly = program.type() == Program.TYPE_CGROUP_SOCKOPT
                && !settings.proxyCgroup().isEmpty();
        return proxyOnly ? Path.of(settings.proxyCgroup()) : settings.cgroupRoot();
    }

    /** Reuses a pinned link (swapping in the new program) or attaches and pins a new one. */
    private static CgroupLink attachOrReuse(Bpf bpf, Program program, Path cgroup, Path pin, Deque<Step> undo) {
        if (Files.exists(pin)) {
            CgroupLink link = bpf.openPinnedCgroupLink(pin);
            try {
                link.update(program);
            } catch (RuntimeException e) {
                link.close();
                throw e;
            }
            return link;
        }
        CgroupLink link = program.attach(new CgroupAttach(cgroup));
        undo.push(link::detach);
        link.pin(pin);
        return link;
    }

    private static void checkLayoutVersion(Bpf bpf, Path pinRoot) {
        Path config = pinRoot.resolve(CONFIG);
        if (!Files.exists(config)) return;
        try (BpfMap map = bpf.openPinnedMap(config)) {
            Optional<byte[]> value = map.lookup(new byte[4]);
            int version = value.map(v ->
                            ByteBuffer.wrap(v).order(ByteOrder.LITTLE_ENDIAN).getInt(0))
                    .orElse(0);
            if (version != 0 && version != LAYOUT_VERSION) {
                throw new BpfException("pinned maps under " + pinRoot + " have layout version " + version
                        + ", this agent writes " + LAYOUT_VERSION
                        + ": refusing to reuse them (uninstall the old dataplane first: remove " + pinRoot + ")");
            }
        }
    }

    /** Creates {@code dir} and any missing parents, each removed again on failure. True if {@code dir} was made. */
    private static boolean createDirectory(Path dir, Deque<Step> undo) {
        if (Files.isDirectory(dir)) return false;
        if (dir.getParent() != null) createDirectory(dir.getParent(), undo);
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw new BpfException("cannot create pin directory " + dir + ": " + e.getMessage());
        }
        undo.push(() -> Files.deleteIfExists(dir));
        return true;
    }

    private static List<String> list(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
    }

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }

    private static void safely(Step step) {
        try {
            step.run();
        } catch (Exception e) {
            LOG.warn("clean-up step failed: {}", e.toString());
        }
    }

    /** True when this installation took over pins of an earlier agent. */
    @Override
    public boolean reattached() {
        return reattached;
    }

    @Override
    public BpfMap map(String name) {
        BpfMap m = maps.get(name);
        if (m == null) throw new BpfException("no map " + name + " in nodemesh's objects (have " + maps.keySet() + ")");
        return m;
    }

    @Override
    public Map<String, BpfMap> maps() {
        return maps;
    }

    @Override
    public Program program(String name) {
        Program p = programs.get(name);
        if (p == null)
            throw new BpfException("no program " + name + " in nodemesh's objects (have " + programs.keySet() + ")");
        return p;
    }

    @Override
    public Map<String, Program> programs() {
        return programs;
    }

    @Override
    public Map<String, CgroupLink> links() {
        return Map.copyOf(links);
    }

    @Override
    public EbpfSettings settings() {
        return settings;
    }

    /**
     * The {@code max_entries} of every map as installed (sized at load, or taken over from a pin), for the objects
     * loaded later over the same pins, so that they declare the maps at the sizes the pins have.
     */
    Map<String, Integer> mapSizes() {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        maps.forEach((name, map) -> sizes.put(name, map.definition().maxEntries()));
        return sizes;
    }

    public Bpf bpf() {
        return bpf;
    }

    /** Releases this process's handles; pinned links and maps keep everything running. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        links.values().forEach(l -> safely(l::close));
        objects.forEach(o -> safely(o::close));
    }

    /** Detaches every program and removes every pin under the pin root. */
    public void uninstall() {
        if (closed) throw new IllegalStateException("installation closed");
        Path pinRoot = settings.pinRoot();
        for (CgroupLink link : links.values()) safely(link::detach);
        for (SkMsgLink link : skMsgLinks) safely(link::detach);
        closed = true;
        objects.forEach(o -> safely(o::close));
        for (Path dir : List.of(pinRoot.resolve(LINK_DIR), pinRoot.resolve(PinnedAdoption.PROGRAM_DIR), pinRoot)) {
            if (!Files.isDirectory(dir)) continue;
            for (String pin : list(dir)) {
                Path p = dir.resolve(pin);
                if (!Files.isDirectory(p)) safely(() -> BpfSeam.libbpf(bpf).unpin(p.toString()));
            }
            safely(() -> Files.deleteIfExists(dir));
        }
        LOG.info("eBPF dataplane uninstalled from {} (pins under {} removed)", settings.cgroupRoot(), pinRoot);
    }
}
