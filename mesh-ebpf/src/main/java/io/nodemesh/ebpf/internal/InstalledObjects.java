package io.nodemesh.ebpf.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What an installation loaded, as kept in the {@link AppliedRecord}: each object's SHA-256 and the programs it pinned
 * (with the kernel's program id, so a pin replaced since is told apart), the map sizes the load was asked for and the
 * sizes the maps have. A restarted agent whose jar holds the same objects, asked for the same sizes, opens these pins
 * instead of loading the objects again ({@link PinnedAdoption}).
 *
 * @param askedSizes {@code max_entries} asked of the load by map name ({@link MapCapacities#sizes})
 * @param mapSizes   {@code max_entries} of every shared map as installed
 */
record InstalledObjects(Map<String, Integer> askedSizes, Map<String, Integer> mapSizes, List<Installed> objects) {
    static final InstalledObjects NONE = new InstalledObjects(Map.of(), Map.of(), List.of());

    InstalledObjects {
        askedSizes = Map.copyOf(askedSizes);
        mapSizes = Map.copyOf(mapSizes);
        objects = List.copyOf(objects);
    }

    /**
     * One loaded object.
     *
     * @param sharedMaps  its maps pinned by name under the pin root (shared with the other objects)
     * @param privateMaps maps of its own, pinned beside its programs as {@code <object>-<map>} (bpffs refuses names with a dot)
     * @param iterator    the iterator program whose link is pinned beside it as {@code <program>-iter}, or empty
     */
    record Installed(
            String name,
            byte[] sha256,
            List<InstalledProgram> programs,
            List<String> sharedMaps,
            List<String> privateMaps,
            String iterator) {
        Installed {
            programs = List.copyOf(programs);
            sharedMaps = List.copyOf(sharedMaps);
            privateMaps = List.copyOf(privateMaps);
        }
    }

    record InstalledProgram(String name, String section, int type, int id) {}

    Installed object(String name) {
        for (Installed o : objects) if (o.name().equals(name)) return o;
        return null;
    }

    /** This with {@code o} in place of the object of its name. */
    InstalledObjects with(Installed o) {
        List<Installed> out = new ArrayList<>();
        for (Installed x : objects) if (!x.name().equals(o.name())) out.add(x);
        out.add(o);
        return new InstalledObjects(askedSizes, mapSizes, out);
    }

    void write(DataOutputStream out) throws IOException {
        writeSizes(out, askedSizes);
        writeSizes(out, mapSizes);
        out.writeInt(objects.size());
        for (Installed o : objects) {
            out.writeUTF(o.name());
            out.writeInt(o.sha256().length);
            out.write(o.sha256());
            out.writeInt(o.programs().size());
            for (InstalledProgram p : o.programs()) {
                out.writeUTF(p.name());
                out.writeUTF(p.section());
                out.writeInt(p.type());
                out.writeInt(p.id());
            }
            writeNames(out, o.sharedMaps());
            writeNames(out, o.privateMaps());
            out.writeUTF(o.iterator());
        }
    }

    static InstalledObjects read(DataInputStream in) throws IOException {
        Map<String, Integer> asked = readSizes(in);
        Map<String, Integer> sizes = readSizes(in);
        int n = in.readInt();
        List<Installed> objects = new ArrayList<>(n);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            if (!names.add(name)) throw new IOException("object " + name + " recorded twice");
            byte[] sha = in.readNBytes(in.readInt());
            int programs = in.readInt();
            List<InstalledProgram> ps = new ArrayList<>(programs);
            for (int j = 0; j < programs; j++)
                ps.add(new InstalledProgram(in.readUTF(), in.readUTF(), in.readInt(), in.readInt()));
            List<String> shared = readNames(in);
            List<String> own = readNames(in);
            objects.add(new Installed(name, sha, ps, shared, own, in.readUTF()));
        }
        return new InstalledObjects(asked, sizes, objects);
    }

    private static void writeNames(DataOutputStream out, List<String> names) throws IOException {
        out.writeInt(names.size());
        for (String n : names) out.writeUTF(n);
    }

    private static List<String> readNames(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) out.add(in.readUTF());
        return out;
    }

    private static void writeSizes(DataOutputStream out, Map<String, Integer> sizes) throws IOException {
        out.writeInt(sizes.size());
        for (var e : new java.util.TreeMap<>(sizes).entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue());
        }
    }

    private static Map<String, Integer> readSizes(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, Integer> out = new LinkedHashMap<>(n * 2);
        for (int i = 0; i < n; i++) out.put(in.readUTF(), in.readInt());
        return new HashMap<>(out);
    }
}
