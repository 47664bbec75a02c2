package io.nodemesh.ebpf.internal;

import io.nodemesh.ebpf.internal.abi.Bytes;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import io.nodemesh.ebpf.internal.abi.KernelMap;
import io.nodemesh.ebpf.internal.plan.Allocations;
import io.nodemesh.ebpf.internal.plan.MapPlan;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the last committed apply left in a node's maps, in a small file kept beside the pins: the layout version, the
 * node and kernel config the plan was made for, the plan's numbering ({@link Allocations}) and a SHA-256 of every entry
 * it wrote, the {@link StateDigest} of the state it was planned from (empty when there is none), and the objects installed ({@link InstalledObjects}: what a restart may adopt without loading them again).
 * The maps alone do not say which service got which id; with this record a restarted agent plans with the
 * same numbering, so an unchanged state is no write at all and a changed one writes only its difference.
 * <p>
 * The record is trusted only when the maps read back hash to its digest: a kill during a write, a hand edit of a map, a
 * damaged or foreign file all fail that check, and the first apply then rewrites every entry ({@link Resume#trusted}).
 */
record AppliedRecord(
        int layout,
        String node,
        String config,
        byte[] digest,
        byte[] stateDigest,
        Allocations allocations,
        InstalledObjects objects) {
    /** Bump when the file layout changes: older files are then not trusted. 2: state digest, installed objects. */
    static final int FORMAT = 2;

    private static final int MAGIC = 0x4e4d4152; // "NMAR"

    /**
     * What a restart starts from: the plan the maps hold, and whether it can be diffed against as it is; when trusted,
     * the {@link StateDigest} of the state it was planned from (empty if none).
     */
    record Resume(MapPlan held, boolean trusted, String reason, byte[] stateDigest) {
        Resume(MapPlan held, boolean trusted, String reason) {
            this(held, trusted, reason, new byte[0]);
        }
    }

    /** The record's file for the pin root {@code pinRoot}: its path mirrored under {@code stateDir}. */
    static Path fileOf(Path stateDir, Path pinRoot) {
        Path relative = pinRoot.toAbsolutePath().normalize();
        return stateDir.resolve(relative.getRoot().relativize(relative).toString())
                .resolve("applied");
    }

    /**
     * The starting point of a restarted agent: the maps as read back, numbered as the record says when the record is
     * this node's and config's, of this layout, and its digest is what the maps hold.
     */
    static Resume resume(Path file, MapPlan readBack, String node, String config) {
        Optional<AppliedRecord> found;
        try {
            found = read(file);
        } catch (IOException | RuntimeException e) {
            return new Resume(readBack, false, "applied-state record " + file + " is unreadable (" + e + ")");
        }
        if (found.isEmpty()) {
            return new Resume(readBack, isEmpty(readBack), "no applied-state record at " + file);
        }
        AppliedRecord r = found.get();
        String mismatch = r.layout != KernelAbi.LAYOUT_VERSION
                ? "layout " + r.layout + ", not " + KernelAbi.LAYOUT_VERSION
                : !r.node.equals(node)
                        ? "node " + r.node + ", not " + node
                        : !r.config.equals(config)
                                ? "another kernel config"
                                : !Arrays.equals(r.digest, digest(readBack))
                                        ? "the maps hold something else than it recorded"
                                        : null;
        if (mismatch != null) {
            return new Resume(readBack, false, "applied-state record " + file + " does not match: " + mismatch);
        }
        Map<KernelMap, java.util.NavigableMap<Bytes, Bytes>> entries = new java.util.EnumMap<>(KernelMap.class);
        for (KernelMap m : KernelMap.values()) entries.put(m, readBack.entries(m));
        return new Resume(
                new MapPlan(entries, r.allocations, List.of()), true, "applied-state record matches", r.stateDigest);
    }

    /** Nothing in any map: a fresh node, where there is nothing to distrust. */
    private static boolean isEmpty(MapPlan plan) {
        for (KernelMap m : KernelMap.values()) if (plan.size(m) > 0) return false;
        return true;
    }

    /** SHA-256 of every entry of the plan's maps, map by map in key order (read-back and plan order alike). */
    static byte[] digest(MapPlan plan) {
        MessageDigest sha = sha256();
        byte[] four = new byte[4];
        for (KernelMap m : KernelMap.values()) {
            var entries = plan.entries(m);
            sha.update(int32(four, m.ordinal()));
            sha.update(int32(four, entries.size()));
            entries.forEach((k, v) -> {
                sha.update(k.toArray());
                sha.update(v.toArray());
            });
        }
        return sha.digest();
    }

    /** Written aside and renamed over: a reader, or a restart after a kill, never sees half a record. */
    void write(Path file) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 16);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            out.writeInt(layout);
            out.writeUTF(node);
            out.writeUTF(config);
            out.writeInt(digest.length);
            out.write(digest);
            out.writeInt(stateDigest.length);
            out.write(stateDigest);
            writeIds(out, allocations.services());
            writeIds(out, allocations.backendSets());
            writeIds(out, allocations.identities());
            out.writeInt(allocations.slots().size());
            for (var e : allocations.slots().entrySet()) {
                out.writeUTF(e.getKey());
                out.writeInt(e.getValue().size());
                for (String a : e.getValue()) out.writeUTF(a);
            }
            objects.write(out);
        }
        byte[] body = buf.toByteArray();
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(file.getParent(), "applied", ".tmp");
        try {
            Files.write(tmp, concat(body, sha256().digest(body)));
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The record in {@code file}; empty when there is none; an exception when it is damaged or of another format. */
    static Optional<AppliedRecord> read(Path file) throws IOException {
        byte[] all;
        try {
            all = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (all.length < 32) throw new IOException("truncated (" + all.length + " bytes)");
        byte[] body = Arrays.copyOf(all, all.length - 32);
        if (!Arrays.equals(sha256().digest(body), Arrays.copyOfRange(all, all.length - 32, all.length)))
            throw new IOException("its checksum does not match its contents");
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(body))) {
            if (in.readInt() != MAGIC) throw new IOException("not an applied-state record");
            int format = in.readInt();
            if (format != FORMAT) throw new IOException("format " + format + ", not " + FORMAT);
            int layout = in.readInt();
            String node = in.readUTF();
            String config = in.readUTF();
            byte[] digest = in.readNBytes(in.readInt());
            byte[] stateDigest = in.readNBytes(in.readInt());
            Map<String, Integer> services = readIds(in);
            Map<String, Integer> sets = readIds(in);
            Map<String, Integer> identities = readIds(in);
            int n = in.readInt();
            Map<String, List<String>> slots = new HashMap<>(n * 2);
            for (int i = 0; i < n; i++) {
                String key = in.readUTF();
                int count = in.readInt();
                List<String> addresses = new ArrayList<>(count);
                for (int j = 0; j < count; j++) addresses.add(in.readUTF());
                slots.put(key, List.copyOf(addresses));
            }
            InstalledObjects objects = InstalledObjects.read(in);
            return Optional.of(new AppliedRecord(
                    layout,
                    node,
                    config,
                    digest,
                    stateDigest,
                    new Allocations(services, sets, identities, slots),
                    objects));
        }
    }

    /** Removes the record (uninstall) and the directories above it that it leaves empty, up to {@code stateDir}. */
    static void remove(Path file, Path stateDir) {
        try {
            Files.deleteIfExists(file);
            for (Path dir = file.getParent();
                    dir != null && dir.startsWith(stateDir) && !dir.equals(stateDir);
                    dir = dir.getParent()) {
                try (var entries = Files.list(dir)) {
                    if (entries.findAny().isPresent()) break;
                } catch (NoSuchFileException e) {
                    continue;
                }
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the applied-state record " + file, e);
        }
    }

    private static void writeIds(DataOutputStream out, Map<String, Integer> ids) throws IOException {
        out.writeInt(ids.size());
        for (var e : ids.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeInt(e.getValue());
        }
    }

    private static Map<String, Integer> readIds(DataInputStream in) throws IOException {
        int n = in.readInt();
        Map<String, Integer> ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) ids.put(in.readUTF(), in.readInt());
        return ids;
    }

    private static byte[] int32(byte[] four, int v) {
        four[0] = (byte) (v >>> 24);
        four[1] = (byte) (v >>> 16);
        four[2] = (byte) (v >>> 8);
        four[3] = (byte) v;
        return four;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
