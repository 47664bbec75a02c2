package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.bpf.Bpf;
import io.nodemesh.ebpf.bpf.BpfException;
import io.nodemesh.ebpf.bpf.BpfMap;
import io.nodemesh.ebpf.bpf.BpfObject;
import io.nodemesh.ebpf.bpf.ObjectSpec;
import io.nodemesh.ebpf.bpf.Program;
import io.nodemesh.ebpf.bpf.ProgramPin;
import io.nodemesh.ebpf.internal.InstalledObjects.Installed;
import io.nodemesh.ebpf.internal.InstalledObjects.InstalledProgram;
import io.nodemesh.ebpf.internal.seam.BpfSeam;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Taking over the objects an earlier agent loaded, by their pins, instead of loading them again: no
 * {@code bpf_object__load}, so no verifier run, on a restart whose jar holds the same objects. Programs are pinned under
 * {@code <pinRoot>/programs/} (with each object's own maps and iterator links); the {@link AppliedRecord} says which
 * objects (SHA-256), program ids and map sizes they were. Adoption is all or nothing, and anything that differs or is
 * missing is a reason to load as before.
 * <p>
 * Why the program ids: a load that replaces the programs first removes their pins and pins the new ones last, so a
 * load cut short leaves a pin missing, and a finished one leaves pins of other ids than an older record names.
 */
final class PinnedAdoption {
    static final String PROGRAM_DIR = "programs";

    private PinnedAdoption() {}

    /** What the record says was installed, or why it says nothing. */
    record Recorded(Optional<InstalledObjects> objects, String reason) {}

    /** Adopted objects, or the reason they could not be. */
    sealed interface Outcome permits Adopted, Refused {}

    record Adopted(List<BpfObject> objects) implements Outcome {}

    record Refused(String reason) implements Outcome {}

    static Recorded recorded(Path recordFile) {
        try {
            Optional<AppliedRecord> r = AppliedRecord.read(recordFile);
            if (r.isEmpty()) return new Recorded(Optional.empty(), "no applied-state record at " + recordFile);
            if (r.get().objects().objects().isEmpty())
                return new Recorded(Optional.empty(), "the applied-state record " + recordFile + " names no objects");
            return new Recorded(Optional.of(r.get().objects()), "");
        } catch (IOException | RuntimeException e) {
            return new Recorded(
                    Optional.empty(),
                    "the applied-state record " + recordFile + " is unreadable (" + e.getMessage() + ")");
        }
    }

    /**
     * Opens the pinned objects of {@code specs} as {@code recorded} describes them, when the specs hash the same, the
     * same sizes are asked and every pin is there with the recorded id and size; otherwise nothing stays open.
     */
    static Outcome adopt(
            Bpf bpf, Path pinRoot, Map<String, Integer> asked, List<ObjectSpec> specs, InstalledObjects recorded) {
        if (!recorded.askedSizes().equals(asked))
            return new Refused("map sizes asked " + differing(recorded.askedSizes(), asked));
        for (ObjectSpec spec : specs) {
            Optional<String> changed = changed(spec, recorded);
            if (changed.isPresent()) return new Refused(changed.get());
        }
        List<BpfObject> opened = new ArrayList<>();
        try {
            for (ObjectSpec spec : specs) {
                BpfObject o = open(bpf, pinRoot, recorded.object(spec.name()));
                opened.add(o);
                for (String m : recorded.object(spec.name()).sharedMaps()) {
                    int size = o.map(m).definition().maxEntries();
                    Integer was = recorded.mapSizes().get(m);
                    if (was == null || was != size)
                        throw new BpfException("pinned map " + pinRoot.resolve(m) + " holds " + size
                                + " entries, the record says " + was);
                }
            }
            return new Adopted(opened);
        } catch (RuntimeException e) {
            opened.forEach(BpfObject::close);
            return new Refused(e.getMessage());
        }
    }

    /** Why {@code spec} cannot be adopted as recorded: not recorded, or other bytes. */
    static Optional<String> changed(ObjectSpec spec, InstalledObjects recorded) {
        Installed o = recorded.object(spec.name());
        if (o == null) return Optional.of("object " + spec.name() + " is not recorded");
        byte[] now = sha256(spec.elf());
        if (!Arrays.equals(now, o.sha256()))
            return Optional.of("object " + spec.name() + " changed (SHA-256 " + hex(o.sha256()) + " recorded, "
                    + hex(now) + " in this jar)");
        return Optional.empty();
    }

    /** Opens one recorded object's pins and checks each program is the one recorded (by kernel id). */
    static BpfObject open(Bpf bpf, Path pinRoot, Installed o) {
        Path dir = pinRoot.resolve(PROGRAM_DIR);
        List<ProgramPin> programs = new ArrayList<>();
        for (InstalledProgram p : o.programs())
            programs.add(new ProgramPin(p.name(), p.section(), p.type(), dir.resolve(p.name())));
        Map<String, Path> maps = new LinkedHashMap<>();
        for (String m : o.sharedMaps()) maps.put(m, pinRoot.resolve(m));
        for (String m : o.privateMaps()) maps.put(m, dir.resolve(o.name() + "-" + m));
        List<Path> pins = new ArrayList<>(maps.values());
        programs.forEach(p -> pins.add(p.pin()));
        for (Path pin : pins) if (!Files.exists(pin)) throw new BpfException("pin " + pin + " is missing");
        BpfObject object = bpf.openPinnedObject(o.name(), programs, maps);
        try {
            for (InstalledProgram p : o.programs()) {
                int id = object.program(p.name()).info().id();
                if (id != p.id())
                    throw new BpfException("pinned program " + dir.resolve(p.name()) + " has id " + id
                            + ", the record says " + p.id() + " (replaced since)");
            }
            return object;
        } catch (RuntimeException e) {
            object.close();
            throw e;
        }
    }

    /**
     * Pins what a fresh load of {@code object} needs pinned to be adopted later (its programs last, see above) and
     * describes it for the record. Maps not pinned by name under the pin root are the object's own.
     */
    static Installed pinLoaded(Bpf bpf, Path pinRoot, ObjectSpec spec, BpfObject object, String iterator) {
        Path dir = pinRoot.resolve(PROGRAM_DIR);
        List<String> shared = new ArrayList<>();
        List<String> own = new ArrayList<>();
        for (var e : object.maps().entrySet()) {
            String m = e.getKey();
            // libbpf's data sections (.rodata, <object>.bss): held by the programs, never written from here
            if (m.contains(".")) continue;
            if (Files.exists(pinRoot.resolve(m))) {
                shared.add(m);
            } else {
                Path pin = dir.resolve(object.name() + "-" + m);
                unpin(bpf, pin);
                e.getValue().pin(pin);
                own.add(m);
            }
        }
        List<InstalledProgram> programs = new ArrayList<>();
        for (Program p : object.programs().values()) {
            Path pin = dir.resolve(p.name());
            unpin(bpf, pin);
            p.pin(pin);
            programs.add(new InstalledProgram(
                    p.name(), p.section(), p.type(), p.info().id()));
        }
        return new Installed(
                object.name(),
                sha256(spec.elf()),
                programs,
                shared.stream().sorted().toList(),
                own,
                iterator);
    }

    /** Removes the program pins of {@code recorded} (before anything replaces what they name). */
    static void unpinPrograms(Bpf bpf, Path pinRoot, Installed recorded) {
        for (InstalledProgram p : recorded.programs())
            unpin(bpf, pinRoot.resolve(PROGRAM_DIR).resolve(p.name()));
    }

    /** Removes every pin under {@code <pinRoot>/programs}: a full load is about to replace the programs. */
    static void unpinAll(Bpf bpf, Path pinRoot) {
        Path dir = pinRoot.resolve(PROGRAM_DIR);
        if (!Files.isDirectory(dir)) return;
        try (var files = Files.list(dir)) {
            files.forEach(p -> unpin(bpf, p));
        } catch (IOException e) {
            throw new BpfException("cannot list " + dir + ": " + e.getMessage());
        }
    }

    static void unpin(Bpf bpf, Path pin) {
        BpfSeam.libbpf(bpf).unpin(pin.toString());
    }

    static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static String hex(byte[] sha) {
        return HexFormat.of().formatHex(sha, 0, Math.min(6, sha.length));
    }

    private static String differing(Map<String, Integer> recorded, Map<String, Integer> now) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.TreeSet<>(recorded.keySet());
        names.addAll(now.keySet());
        for (String n : names)
            if (!java.util.Objects.equals(recorded.get(n), now.get(n)))
                out.add(n + " " + recorded.get(n) + " recorded, " + now.get(n) + " now");
        return String.join(", ", out);
    }

    static Map<String, Integer> sizes(BpfObject o) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (var e : o.maps().entrySet()) {
            BpfMap m = e.getValue();
            if (!e.getKey().contains(".")) out.put(e.getKey(), m.definition().maxEntries());
        }
        return out;
    }
}
