package io.nodemesh.ebpf.internal;

import io.nodemesh.api.state.MeshState;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A SHA-256 of a {@link MeshState} that is the same in every JVM for equal states, and of the build that plans it: the
 * applied-state record keeps the one of the state last committed, so a restarted agent given that state again knows
 * the maps hold what planning it would write ({@link NodeProgrammer}) without planning it.
 * <p>
 * The state's records are walked by their components (a field added to the API is covered without a change here);
 * lists keep their order, sets and maps are sorted by their elements' encodings (their own order differs from one JVM
 * to the next). A value of a type not known here makes the digest empty: no skip, never a wrong one.
 */
final class StateDigest {
    /** The jar (or class directory) holding the planner: another build may plan the same state otherwise. */
    private static final String BUILD = buildStamp();

    private static final ClassValue<List<Method>> ACCESSORS = new ClassValue<>() {
        @Override
        protected List<Method> computeValue(Class<?> type) {
            List<Method> out = new ArrayList<>();
            for (RecordComponent c : type.getRecordComponents()) out.add(c.getAccessor());
            return List.copyOf(out);
        }
    };

    private StateDigest() {}

    /** The digest, or empty when the state holds a value this class cannot encode canonically. */
    static Optional<byte[]> of(MeshState state) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream(1 << 20);
        try (DataOutputStream out = new DataOutputStream(buf)) {
            out.writeUTF(BUILD);
            encode(state, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedOperationException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(MessageDigest.getInstance("SHA-256").digest(buf.toByteArray()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void encode(Object v, DataOutputStream out) throws IOException {
        switch (v) {
            case null -> out.writeByte(0);
            case String s -> {
                out.writeByte(1);
                out.writeUTF(s);
            }
            case Integer i -> {
                out.writeByte(2);
                out.writeInt(i);
            }
            case Long l -> {
                out.writeByte(3);
                out.writeLong(l);
            }
            case Boolean b -> {
                out.writeByte(4);
                out.writeBoolean(b);
            }
            case Double d -> {
                out.writeByte(5);
                out.writeDouble(d);
            }
            case Enum<?> e -> {
                out.writeByte(6);
                out.writeUTF(e.getDeclaringClass().getName());
                out.writeUTF(e.name());
            }
            case Duration d -> {
                out.writeByte(7);
                out.writeLong(d.getSeconds());
                out.writeInt(d.getNano());
            }
            case Optional<?> o -> {
                out.writeByte(8);
                encode(o.orElse(null), out);
            }
            case List<?> l -> {
                out.writeByte(9);
                out.writeInt(l.size());
                for (Object e : l) encode(e, out);
            }
            case Set<?> s -> sorted(10, s, out);
            case Map<?, ?> m -> {
                List<Object> entries = new ArrayList<>(m.size());
                m.forEach((k, x) -> entries.add(List.of(k, x == null ? Optional.empty() : Optional.of(x))));
                sorted(11, entries, out);
            }
            case Record r -> {
                out.writeByte(12);
                out.writeUTF(r.getClass().getName());
                for (Method accessor : ACCESSORS.get(r.getClass())) {
                    try {
                        encode(accessor.invoke(r), out);
                    } catch (IllegalAccessException | InvocationTargetException e) {
                        throw new UnsupportedOperationException(accessor + " cannot be read", e);
                    }
                }
            }
            default -> throw new UnsupportedOperationException("no canonical encoding of " + v.getClass());
        }
    }

    /** Elements encoded one by one, then written in the order of their encodings. */
    private static void sorted(int tag, Collection<?> elements, DataOutputStream out) throws IOException {
        List<byte[]> encoded = new ArrayList<>(elements.size());
        for (Object e : elements) {
            ByteArrayOutputStream one = new ByteArrayOutputStream(64);
            try (DataOutputStream o = new DataOutputStream(one)) {
                encode(e, o);
            }
            encoded.add(one.toByteArray());
        }
        encoded.sort(Arrays::compare);
        out.writeByte(tag);
        out.writeInt(encoded.size());
        for (byte[] e : encoded) out.write(e);
    }

    private static String buildStamp() {
        try {
            Path where = Path.of(StateDigest.class
                    .getProtectionDomain()
                    .getCodeSource()
                    .getLocation()
                    .toURI());
            return where + " " + Files.size(where) + " "
                    + Files.getLastModifiedTime(where).toMillis();
        } catch (Exception e) {
            return "unknown"; // still one build within this process
        }
    }
}
