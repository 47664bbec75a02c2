package io.nodemesh.ebpf.bpf;

import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A loaded eBPF object: its programs and maps live in the kernel until {@link #close()}, unless something else holds
 * them (a pin, an attachment). Get one from {@link Bpf#load}.
 */
public final class BpfObject implements AutoCloseable {
    private final Libbpf libbpf;
    private final String name;
    private final long handle;
    private final Map<String, Program> programs = new LinkedHashMap<>();
    private final Map<String, BpfMap> maps = new LinkedHashMap<>();
    private final Set<String> reusedMaps;
    /** Opened from pins ({@link #openPinned}): no libbpf object behind it, only fds of its own. */
    private final boolean pinned;

    private boolean closed;

    private BpfObject(Libbpf libbpf, String name, Map<String, Program> programs, Map<String, BpfMap> maps) {
        this.libbpf = libbpf;
        this.name = name;
        this.handle = 0;
        this.reusedMaps = Set.copyOf(maps.keySet());
        this.pinned = true;
        this.programs.putAll(programs);
        this.maps.putAll(maps);
    }

    private BpfObject(Libbpf libbpf, String name, long handle, Set<String> reusedMaps) {
        this.libbpf = libbpf;
        this.name = name;
        this.handle = handle;
        this.pinned = false;
        this.reusedMaps = Set.copyOf(reusedMaps);
        for (long p : libbpf.programs(handle)) {
            Program program = new Program(
                    libbpf,
                    libbpf.programName(p),
                    libbpf.programSection(p),
                    p,
                    libbpf.programType(p),
                    libbpf.programFd(p));
            programs.put(program.name(), program);
        }
        for (long m : libbpf.maps(handle)) {
            MapDefinition def = libbpf.mapDefinition(m);
            maps.put(def.name(), new BpfMap(libbpf, def, libbpf.mapFd(m), false));
        }
    }

    /**
     * Opens {@code spec} and loads it into the kernel. A verifier rejection throws {@link VerifierException} with the
     * log; a corrupt object or a pinned map that does not match the object's declaration throws {@link BpfException};
     * either way nothing is left behind.
     */
    static BpfObject load(Libbpf libbpf, ObjectSpec spec, LoadOptions options) {
        if (!spec.looksLikeElf()) {
            throw new BpfException("BPF object " + spec.name() + " is not an ELF file (" + spec.elf().length
                    + " bytes; corrupt or truncated?)");
        }
        options.pinRoot().ifPresent(dir -> Bpf.over(libbpf).requirePinDirectory(dir));
        long handle = libbpf.openObject(
                spec.elf(),
                spec.name(),
                options.verifierLogSize(),
                options.pinRoot().map(Path::toString).orElse(""));
        List<Integer> reusedFds = new ArrayList<>();
        try {
            resize(libbpf, handle, options);
            Set<String> reused = reusePins(libbpf, handle, spec.name(), options, reusedFds);
            try {
                libbpf.loadObject(handle);
            } catch (BpfException e) {
                String log = libbpf.verifierLog(handle);
                if (!log.isBlank())
                    throw new VerifierException(spec.name(), libbpf.lastFailedProgram(), e.errno(), log);
                throw new BpfException("load BPF object " + spec.name() + ": " + e.getMessage(), e.errno(), true);
            }
            return new BpfObject(libbpf, spec.name(), handle, reused);
        } catch (RuntimeException e) {
            libbpf.closeObject(handle);
            throw e;
        } finally {
            reusedFds.forEach(libbpf::closeFd); // libbpf dup()s a reused fd
        }
    }

    /**
     * Opens the pins of an object an earlier load left: every program (its type checked) and map. Nothing is loaded;
     * on failure what was opened is closed and the message names the pin.
     */
    static BpfObject openPinned(Libbpf libbpf, String name, List<ProgramPin> programs, Map<String, Path> maps) {
        Map<String, Program> progs = new LinkedHashMap<>();
        Map<String, BpfMap> opened = new LinkedHashMap<>();
        try {
            for (ProgramPin p : programs) {
                int fd = libbpf.openPinned(p.pin().toString());
                Program program = new Program(libbpf, p.name(), p.section(), 0, p.type(), fd);
                progs.put(p.name(), program);
                int type = libbpf.programInfo(fd).type();
                if (type != p.type())
                    throw new BpfException("pinned program " + p.pin() + " has type " + type + ", not " + p.type());
            }
            for (var m : maps.entrySet()) {
                BpfMap map = Bpf.over(libbpf).openPinnedMap(m.getValue());
                opened.put(m.getKey(), map);
            }
            return new BpfObject(libbpf, name, progs, opened);
        } catch (RuntimeException e) {
            progs.values().forEach(p -> libbpf.closeFd(p.fd()));
            opened.values().forEach(BpfMap::close);
            throw e;
        }
    }

    /** Applies {@link LoadOptions#mapSizes()} to the object's declarations before anything is created. */
    private static void resize(Libbpf libbpf, long handle, LoadOptions options) {
        if (options.mapSizes().isEmpty()) return;
        for (long m : libbpf.maps(handle)) {
            Integer entries = options.mapSizes().get(libbpf.mapDefinition(m).name());
            if (entries != null) libbpf.setMaxEntries(m, entries);
        }
    }

    private static Set<String> reusePins(
            Libbpf libbpf, long handle, String object, LoadOptions options, List<Integer> fds) {
        if (options.pinRoot().isEmpty()) return Set.of();
        Path dir = options.pinRoot().get();
        Set<String> reused = new java.util.HashSet<>();
        for (long m : libbpf.maps(handle)) {
            MapDefinition declared = libbpf.mapDefinition(m);
            if (declared.name().startsWith(".")) continue; // .rodata/.bss: per-object, never shared
            Path pin = dir.resolve(declared.name());
            if (!exists(libbpf, pin)) continue;
            int fd = libbpf.openPinned(pin.toString());
            fds.add(fd);
            MapDefinition pinned = libbpf.mapInfo(fd).definition();
            Integer wanted = options.mapSizes().get(declared.name());
            if (wanted != null && sameShape(declared, pinned) && pinned.maxEntries() != declared.maxEntries()) {
                // Sized by the caller: a bigger pin serves as well (reuse_fd adopts its size); a smaller one cannot
                // hold what was asked, and replacing it would drop the state the attached programs serve from.
                if (pinned.maxEntries() < wanted)
                    throw new BpfException("pinned map " + pin + " holds " + pinned.maxEntries() + " entries, "
                            + wanted + " wanted: refusing to replace it (the programs already attached keep serving"
                            + " from it); lower the limits, or uninstall the dataplane and start again to resize");
            } else if (!sameLayout(declared, pinned)) {
                throw new BpfException(
                        "pinned map " + pin + " does not match object " + object + ": pinned " + describe(pinned)
                                + ", declared " + describe(declared) + " (an older layout? uninstall first)");
            }
            libbpf.reuseMapFd(m, fd);
            reused.add(declared.name());
        }
        return reused;
    }

    private static boolean exists(Libbpf libbpf, Path pin) {
        // Through the seam rather than java.nio so the fake can model bpffs.
        try {
            libbpf.filesystemType(pin.toString());
            return true;
        } catch (BpfException e) {
            return false;
        }
    }

    static boolean sameLayout(MapDefinition a, MapDefinition b) {
        return sameShape(a, b) && a.maxEntries() == b.maxEntries();
    }

    private static boolean sameShape(MapDefinition a, MapDefinition b) {
        return a.type() == b.type() && a.keySize() == b.keySize() && a.valueSize() == b.valueSize();
    }

    private static String describe(MapDefinition d) {
        return d.type() + " key " + d.keySize() + "B value " + d.valueSize() + "B max " + d.maxEntries();
    }

    public String name() {
        return name;
    }

    public Program program(String name) {
        ensureOpen();
        Program p = programs.get(name);
        if (p == null)
            throw new BpfException(
                    "object " + this.name + " has no program " + name + " (it has " + programs.keySet() + ")");
        return p;
    }

    public BpfMap map(String name) {
        ensureOpen();
        BpfMap m = maps.get(name);
        if (m == null)
            throw new BpfException("object " + this.name + " has no map " + name + " (it has " + maps.keySet() + ")");
        return m;
    }

    public Map<String, Program> programs() {
        return Map.copyOf(programs);
    }

    public Map<String, BpfMap> maps() {
        return Map.copyOf(maps);
    }

    /** Names of maps that were taken over from pins rather than created by this load. */
    public Set<String> reusedMaps() {
        return reusedMaps;
    }

    /**
     * Pins every map under {@code dir} as {@code <dir>/<map name>}, except data sections such as {@code .rodata} and
     * maps already pinned there (reused, or pinned by libbpf at load). On failure, the pins this call made are removed again.
     */
    public void pinMaps(Path dir) {
        ensureOpen();
        List<Path> made = new ArrayList<>();
        try {
            for (BpfMap m : maps.values()) {
                if (m.name().startsWith(".") || reusedMaps.contains(m.name())) continue;
                Path pin = dir.resolve(m.name());
                if (exists(libbpf, pin)) continue; // pinned by libbpf at load (LIBBPF_PIN_BY_NAME)
                m.pin(pin);
                made.add(pin);
            }
        } catch (RuntimeException e) {
            made.forEach(p -> libbpf.unpin(p.toString()));
            throw e;
        }
    }

    private void ensureOpen() {
        if (closed) throw new IllegalStateException("BPF object " + name + " is closed");
    }

    /** Releases this process's hold on the programs and maps; pinned or attached ones stay in the kernel. */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (pinned) {
            programs.values().forEach(p -> libbpf.closeFd(p.fd()));
            maps.values().forEach(BpfMap::close);
        } else {
            libbpf.closeObject(handle);
        }
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + ", programs " + programs.keySet() + ", maps " + maps.keySet() + "]";
    }
}
