package io.nodemesh.ebpf.fake;

import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.Errno;
import io.nodemesh.ebpf.bpf.LibbpfVersion;
import io.nodemesh.ebpf.bpf.MapDefinition;
import io.nodemesh.ebpf.bpf.MapInfo;
import io.nodemesh.ebpf.bpf.MapType;
import io.nodemesh.ebpf.bpf.ProgramInfo;
import io.nodemesh.ebpf.internal.seam.Libbpf;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * An in-memory {@link Libbpf} for unit tests without root. Objects are described up front ({@link #define}) and
 * matched by name; maps are Java maps with the kernel's rules (fixed sizes, E2BIG when full, arrays always full);
 * "bpffs" and "cgroup2" are two real temporary directories, so pins are files and the code above can use java.nio.
 * Failures are injected with {@link #failUpdatesOf}, {@link #failAttachOf} and {@link #rejectLoadOf}.
 */
public final class FakeLibbpf implements Libbpf {
    /** A program of a described object: name, section, {@code enum bpf_prog_type}. */
    public record ProgramDef(String name, String section, int type) {}

    /** A map of a described object; {@code pinByName} = declared with LIBBPF_PIN_BY_NAME. */
    public record MapDef(MapDefinition definition, boolean pinByName) {}

    public record ObjectDef(List<ProgramDef> programs, List<MapDef> maps) {}

    private final class FakeMap {
        final MapDefinition def;
        final int id = nextId++;
        final TreeMap<String, byte[]> entries = new TreeMap<>();

        FakeMap(MapDefinition def) {
            this.def = def;
            if (def.type() == MapType.ARRAY) {
                for (int i = 0; i < def.maxEntries(); i++) entries.put(hex(le32(i)), new byte[def.valueSize()]);
            }
        }
    }

    private record Obj(
            String name,
            ObjectDef def,
            String pinRoot,
            Map<Long, Integer> mapFds,
            Map<Long, Integer> progFds,
            Map<Long, Object> handles) {}

    private final Path bpffs;
    private final Path cgroupfs;
    private final Map<String, ObjectDef> definitions = new HashMap<>();
    private final Map<Long, Obj> objects = new HashMap<>();
    private final Map<Long, Object> handles = new HashMap<>(); // program/map handle -> ProgramDef/MapDef
    private final Map<Integer, Object> fds = new HashMap<>(); // fd -> FakeMap | ProgramDef | String (dir) | Link
    private final Map<String, Integer> pins = new HashMap<>(); // path -> fd of the pinned object
    private final Map<Long, Link> links = new HashMap<>();
    /** cgroup path -> program names attached (links and prog_attach). */
    public final Map<String, List<String>> cgroupAttachments = new LinkedHashMap<>();
    /** sock map name -> sk_msg program attached. */
    public final Map<String, String> sockMapAttachments = new LinkedHashMap<>();

    private final Map<String, Integer> failUpdates = new HashMap<>();
    private final Set<String> failAttach = new java.util.HashSet<>();
    private final Map<String, String> rejectLoad = new HashMap<>();
    private int nextFd = 100;
    private int nextId = 1;
    private long nextHandle = 0x1000;

    private final class Link {
        final String program;
        final String cgroup;
        final int fd = nextFd++;
        String pin;

        Link(String program, String cgroup) {
            this.program = program;
            this.cgroup = cgroup;
        }
    }

    public FakeLibbpf(Path bpffs, Path cgroupfs) {
        this.bpffs = bpffs;
        this.cgroupfs = cgroupfs;
    }

    public FakeLibbpf define(String objectName, ObjectDef def) {
        definitions.put(objectName, def);
        return this;
    }

    /** The n-th (1-based) later update of {@code map} fails with E2BIG (batch updates count as one). */
    public void failUpdatesOf(String map, int nth) {
        failUpdates.put(map, nth);
    }

    public void failAttachOf(String program) {
        failAttach.add(program);
    }

    public void rejectLoadOf(String object, String verifierLog) {
        rejectLoad.put(object, verifierLog);
    }

    public int openFds() {
        return fds.size();
    }

    /** Entries of the live map pinned at, or named, {@code name}. */
    public Map<String, byte[]> contents(String mapName) {
        return fds.values().stream()
                .filter(o -> o instanceof FakeMap m && m.def.name().equals(mapName))
                .map(o -> ((FakeMap) o).entries)
                .findFirst()
                .map(Map::copyOf)
                .orElseThrow();
    }

    @Override
    public LibbpfVersion version() {
        return new LibbpfVersion(1, 1);
    }

    @Override
    public long openObject(byte[] elf, String name, int logSize, String pinRoot) {
        ObjectDef def = definitions.get(name);
        if (def == null) throw new BpfException("open BPF object " + name, Errno.EINVAL);
        long h = nextHandle++;
        Map<Long, Object> hs = new LinkedHashMap<>();
        for (ProgramDef p : def.programs()) hs.put(nextHandle++, p);
        for (MapDef m : def.maps()) hs.put(nextHandle++, m);
        handles.putAll(hs);
        objects.put(h, new Obj(name, def, pinRoot, new HashMap<>(), new HashMap<>(), hs));
        return h;
    }

    @Override
    public void loadObject(long object) {
        Obj o = objects.get(object);
        if (rejectLoad.containsKey(o.name())) {
            verifierLogs.put(object, rejectLoad.get(o.name()));
            throw new BpfException("load", Errno.EACCES);
        }
        for (var e : o.handles().entrySet()) {
            if (e.getValue() instanceof MapDef m) {
                if (o.mapFds().containsKey(e.getKey())) continue; // reused
                if (m.pinByName() && !o.pinRoot().isEmpty()) {
                    String pin = o.pinRoot() + "/" + m.definition().name();
                    if (pins.containsKey(pin)) {
                        o.mapFds().put(e.getKey(), dup(pins.get(pin)));
                        continue;
                    }
                    int fd = newFd(new FakeMap(m.definition()));
                    o.mapFds().put(e.getKey(), fd);
                    pin(fd, pin);
                } else {
                    o.mapFds().put(e.getKey(), newFd(new FakeMap(m.definition())));
                }
            }
        }
        for (var e : o.handles().entrySet()) {
            if (e.getValue() instanceof ProgramDef p) o.progFds().put(e.getKey(), newFd(p));
        }
    }

    private final Map<Long, String> verifierLogs = new HashMap<>();

    @Override
    public String verifierLog(long object) {
        return verifierLogs.getOrDefault(object, "");
    }

    @Override
    public void closeObject(long object) {
        Obj o = objects.remove(object);
        if (o == null) return;
        o.mapFds().values().forEach(this::closeFd);
        o.progFds().values().forEach(this::closeFd);
    }

    @Override
    public List<Long> programs(long object) {
        return objects.get(object).handles().entrySet().stream()
                .filter(e -> e.getValue() instanceof ProgramDef)
                .map(Map.Entry::getKey)
                .toList();
    }

    @Override
    public List<Long> maps(long object) {
        return objects.get(object).handles().entrySet().stream()
                .filter(e -> e.getValue() instanceof MapDef)
                .map(Map.Entry::getKey)
                .toList();
    }

    @Override
    public String programName(long program) {
        return ((ProgramDef) handles.get(program)).name();
    }

    @Override
    public String programSection(long program) {
        return ((ProgramDef) handles.get(program)).section();
    }

    @Override
    public int programType(long program) {
        return ((ProgramDef) handles.get(program)).type();
    }

    @Override
    public int programFd(long program) {
        return objects.values().stream()
                .map(o -> o.progFds().get(program))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(-1);
    }

    @Override
    public MapDefinition mapDefinition(long map) {
        return ((MapDef) handles.get(map)).definition();
    }

    @Override
    public int mapFd(long map) {
        return objects.values().stream()
                .map(o -> o.mapFds().get(map))
                .filter(java.util.Objects::nonNull)
                .findFirst()
                .orElse(-1);
    }

    @Override
    public void setMaxEntries(long map, int entries) {
        MapDef m = (MapDef) handles.get(map);
        if (objects.values().stream().anyMatch(o -> o.mapFds().containsKey(map)))
            throw new BpfException("set max_entries of map " + m.definition().name() + " after load", Errno.EBUSY);
        MapDefinition d = m.definition();
        MapDef resized =
                new MapDef(new MapDefinition(d.name(), d.type(), d.keySize(), d.valueSize(), entries), m.pinByName());
        handles.put(map, resized);
        for (Obj o : objects.values()) o.handles().replace(map, resized);
    }

    @Override
    public void reuseMapFd(long map, int fd) {
        // Like libbpf's bpf_map__reuse_fd, the declaration takes the reused map's size.
        if (fds.get(fd) instanceof FakeMap pinned && handles.get(map) instanceof MapDef m) {
            MapDef adopted = new MapDef(pinned.def, m.pinByName());
            handles.put(map, adopted);
            for (Obj o : objects.values()) o.handles().replace(map, adopted);
        }
        for (Obj o : objects.values())
            if (o.handles().containsKey(map)) o.mapFds().put(map, dup(fd));
    }

    @Override
    public int openPinned(String path) {
        Integer fd = pins.get(path);
        if (fd == null) throw new BpfException("open pinned object " + path, Errno.ENOENT);
        return dup(fd);
    }

    @Override
    public void pin(int fd, String path) {
        Path p = Path.of(path);
        if (!p.startsWith(bpffs)) throw new BpfException("pin at " + path, Errno.EPERM);
        if (!Files.isDirectory(p.getParent())) throw new BpfException("pin at " + path, Errno.ENOENT);
        if (pins.containsKey(path)) throw new BpfException("pin at " + path, Errno.EEXIST);
        pins.put(path, dup(fd));
        touch(p);
    }

    @Override
    public void unpin(String path) {
        Integer fd = pins.remove(path);
        if (fd != null) closeFd(fd);
        try {
            Files.deleteIfExists(Path.of(path));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public long filesystemType(String path) {
        Path p = Path.of(path);
        if (!Files.exists(p)) throw new BpfException("statfs " + path, Errno.ENOENT);
        if (p.startsWith(bpffs)) return BPF_FS_MAGIC;
        if (p.startsWith(cgroupfs)) return CGROUP2_SUPER_MAGIC;
        return 0xef53; // ext4
    }

    @Override
    public int openDirectory(String path) {
        if (!Files.isDirectory(Path.of(path))) throw new BpfException("open directory " + path, Errno.ENOENT);
        return newFd(path);
    }

    @Override
    public void closeFd(int fd) {
        fds.remove(fd);
    }

    @Override
    public MapInfo mapInfo(int mapFd) {
        if (!(fds.get(mapFd) instanceof FakeMap m)) throw new BpfException("get info of map fd " + mapFd, Errno.EINVAL);
        return new MapInfo(m.id, m.def.type(), m.def.keySize(), m.def.valueSize(), m.def.maxEntries(), m.def.name());
    }

    @Override
    public ProgramInfo programInfo(int programFd) {
        ProgramDef p = (ProgramDef) fds.get(programFd);
        return new ProgramInfo(programFd, p.type(), p.name(), 0, 0);
    }

    @Override
    public int enableRunStats() {
        return newFd("stats");
    }

    private FakeMap map(int fd) {
        if (!(fds.get(fd) instanceof FakeMap m)) throw new BpfException("map fd " + fd, Errno.EBADF);
        return m;
    }

    @Override
    public boolean lookup(int mapFd, byte[] key, byte[] value) {
        byte[] v = map(mapFd).entries.get(hex(key));
        if (v == null) return false;
        System.arraycopy(v, 0, value, 0, Math.min(v.length, value.length));
        return true;
    }

    @Override
    public void update(int mapFd, byte[] key, byte[] value, long flags) {
        FakeMap m = map(mapFd);
        maybeFail(m);
        put(m, key, value, flags);
    }

    private void put(FakeMap m, byte[] key, byte[] value, long flags) {
        String k = hex(key);
        boolean present = m.entries.containsKey(k);
        if (flags == 1 && present) throw new BpfException("update", Errno.EEXIST);
        if (flags == 2 && !present) throw new BpfException("update", Errno.ENOENT);
        if (m.def.type() == MapType.ARRAY && !present) throw new BpfException("update", Errno.E2BIG);
        if (!present && m.entries.size() >= m.def.maxEntries()) throw new BpfException("update", Errno.E2BIG);
        m.entries.put(k, value.clone());
    }

    private void maybeFail(FakeMap m) {
        Integer n = failUpdates.get(m.def.name());
        if (n == null) return;
        if (n <= 1) {
            failUpdates.remove(m.def.name());
            throw new BpfException("update (injected)", Errno.E2BIG);
        }
        failUpdates.put(m.def.name(), n - 1);
    }

    @Override
    public boolean delete(int mapFd, byte[] key) {
        FakeMap m = map(mapFd);
        if (m.def.type() == MapType.ARRAY) throw new BpfException("delete", Errno.EINVAL);
        return m.entries.remove(hex(key)) != null;
    }

    @Override
    public boolean nextKey(int mapFd, byte[] key, byte[] next) {
        FakeMap m = map(mapFd);
        String k = key == null ? null : m.entries.higherKey(hex(key));
        if (key == null && !m.entries.isEmpty()) k = m.entries.firstKey();
        if (k == null) return false;
        byte[] n = HexFormat.of().parseHex(k);
        System.arraycopy(n, 0, next, 0, next.length);
        return true;
    }

    @Override
    public void updateBatch(int mapFd, byte[] keys, byte[] values, int count, long flags) {
        FakeMap m = map(mapFd);
        maybeFail(m);
        int ks = m.def.keySize(), vs = m.def.valueSize();
        for (int i = 0; i < count; i++) {
            put(
                    m,
                    Arrays.copyOfRange(keys, i * ks, (i + 1) * ks),
                    Arrays.copyOfRange(values, i * vs, (i + 1) * vs),
                    flags);
        }
    }

    @Override
    public int deleteBatch(int mapFd, byte[] keys, int count) {
        FakeMap m = map(mapFd);
        int ks = m.def.keySize();
        for (int i = 0; i < count; i++) {
            if (m.entries.remove(hex(Arrays.copyOfRange(keys, i * ks, (i + 1) * ks))) == null) return i;
        }
        return count;
    }

    @Override
    public int lookupBatch(int mapFd, byte[] in, byte[] out, byte[] keys, byte[] values, int count) {
        FakeMap m = map(mapFd);
        int ks = m.def.keySize(), vs = m.def.valueSize();
        List<Map.Entry<String, byte[]>> rest = new ArrayList<>(
                (in == null ? m.entries : m.entries.tailMap(hex(Arrays.copyOf(in, ks)), false)).entrySet());
        int n = Math.min(count, rest.size());
        for (int i = 0; i < n; i++) {
            System.arraycopy(HexFormat.of().parseHex(rest.get(i).getKey()), 0, keys, i * ks, ks);
            System.arraycopy(rest.get(i).getValue(), 0, values, i * vs, vs);
        }
        if (n > 0) System.arraycopy(HexFormat.of().parseHex(rest.get(n - 1).getKey()), 0, out, 0, ks);
        return n == rest.size() ? -(n + 1) : n;
    }

    @Override
    public long attachCgroup(long program, int cgroupFd) {
        ProgramDef p = (ProgramDef) handles.get(program);
        if (failAttach.contains(p.name())) throw new BpfException("attach program to cgroup", Errno.EINVAL);
        String cgroup = (String) fds.get(cgroupFd);
        Link l = new Link(p.name(), cgroup);
        cgroupAttachments.computeIfAbsent(cgroup, k -> new ArrayList<>()).add(p.name());
        long h = nextHandle++;
        links.put(h, l);
        fds.put(l.fd, l);
        return h;
    }

    @Override
    public void attachProgram(int programFd, int targetFd, int attachType, int flags) {
        ProgramDef p = (ProgramDef) fds.get(programFd);
        if (failAttach.contains(p.name())) throw new BpfException("attach program", Errno.EINVAL);
        sockMapAttachments.put(map(targetFd).def.name(), p.name());
    }

    @Override
    public void detachProgram(int programFd, int targetFd, int attachType) {
        if (sockMapAttachments.remove(map(targetFd).def.name()) == null)
            throw new BpfException("detach program", Errno.ENOENT);
    }

    @Override
    public int linkFd(long link) {
        return links.get(link).fd;
    }

    @Override
    public void pinLink(long link, String path) {
        Link l = links.get(link);
        pin(l.fd, path);
        l.pin = path;
    }

    @Override
    public void unpinLink(long link) {
        Link l = links.get(link);
        if (l.pin != null) unpin(l.pin);
        l.pin = null;
    }

    @Override
    public long openLink(String path) {
        Integer fd = pins.get(path);
        if (fd == null || !(fds.get(fd) instanceof Link l))
            throw new BpfException("open pinned link " + path, Errno.ENOENT);
        long h = nextHandle++;
        Link copy = new Link(l.program, l.cgroup);
        copy.pin = path;
        links.put(h, copy);
        fds.put(copy.fd, copy);
        return h;
    }

    @Override
    public void updateLink(long link, long program) {
        Link l = links.get(link);
        List<String> attached = cgroupAttachments.get(l.cgroup);
        attached.set(attached.indexOf(l.program), ((ProgramDef) handles.get(program)).name());
    }

    @Override
    public void disconnectLink(long link) {
        Link l = links.remove(link);
        fds.remove(l.fd);
    }

    @Override
    public void destroyLink(long link) {
        Link l = links.remove(link);
        fds.remove(l.fd);
        // the attachment ends with the last reference: no pin and no other open handle of it
        boolean pinned = pins.keySet().stream()
                .anyMatch(p -> fds.get(pins.get(p)) instanceof Link pl
                        && pl.program.equals(l.program)
                        && java.util.Objects.equals(pl.cgroup, l.cgroup));
        boolean otherHandle = links.values().stream()
                .anyMatch(o -> o.program.equals(l.program) && java.util.Objects.equals(o.cgroup, l.cgroup));
        if (!pinned && !otherHandle && l.cgroup != null)
            cgroupAttachments.getOrDefault(l.cgroup, new ArrayList<>()).remove(l.program);
    }

    private final Map<Long, Consumer<byte[]>> rings = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<Long, java.util.concurrent.BlockingQueue<byte[]>> ringRecords =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Long> ringsByMap = new java.util.concurrent.ConcurrentHashMap<>();

    /** Queues a record in the ring buffer map {@code mapName}, as a program's bpf_ringbuf_output would. */
    public void emit(String mapName, byte[] record) {
        ringRecords.get(ringsByMap.get(mapName)).add(record.clone());
    }

    @Override
    public synchronized long openRing(int mapFd, Consumer<byte[]> sink) {
        long h = nextHandle++;
        rings.put(h, sink);
        ringRecords.put(h, new java.util.concurrent.LinkedBlockingQueue<>());
        ringsByMap.put(map(mapFd).def.name(), h);
        return h;
    }

    @Override
    public int pollRing(long ring, int timeoutMillis) {
        try {
            byte[] first =
                    ringRecords.get(ring).poll(Math.min(timeoutMillis, 20), java.util.concurrent.TimeUnit.MILLISECONDS);
            if (first == null) return 0;
            int n = 1;
            rings.get(ring).accept(first);
            for (byte[] r; (r = ringRecords.get(ring).poll()) != null; n++)
                rings.get(ring).accept(r);
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        }
    }

    @Override
    public void closeRing(long ring) {
        rings.remove(ring);
    }

    @Override
    public void mountBpffs(String path) {}

    @Override
    public long netnsCookie(String netnsPath) {
        throw new BpfException("open " + netnsPath, Errno.ENOENT);
    }

    private int newFd(Object o) {
        int fd = nextFd++;
        fds.put(fd, o);
        return fd;
    }

    private int dup(int fd) {
        Object o = fds.get(fd);
        if (o == null) throw new BpfException("dup", Errno.EBADF);
        return newFd(o);
    }

    private static void touch(Path p) {
        try {
            Files.createFile(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
