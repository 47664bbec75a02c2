package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Reads state-of-the-world requests ({@link SotwRequest}) so that requests naming the same resources share one list
 * object of the same {@code String} objects.
 * <p>
 * A client subscribed to 10,000 load assignments repeats all 10,000 names in every ACK, and every client of a mesh asks
 * for much the same names. Parsed the usual way, each ACK costs 10,000 new strings, whose hashes and contents the
 * cache then computes and compares again (java-control-plane turns the names into a set and compares it with the
 * known names on every request): a third of the server's CPU when one change reached 100 clients. Here the block of
 * names is compared byte for byte with recently seen blocks; on a match the request gets that block's list, whose
 * strings carry their hash already and compare equal by identity, and whose list the stream recognizes by identity.
 * A remembered block is looked for at the first names field, before stepping through the fields: stepping through
 * 10,000 names to find where they end cost more than comparing their 300 KB.
 */
final class SharedNamesMarshaller implements MethodDescriptor.Marshaller<SotwRequest> {
    private static final int NAMES_TAG =
            DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /** Below this many bytes of names, parsing is as cheap as looking them up. */
    private static final int MIN_SHARED_BYTES = 2048;
    /** How many distinct name blocks to remember (a mesh's clients ask for few distinct sets; each entry is ~ its bytes × 4). */
    private static final int REMEMBERED = 32;

    /** Bytes hashed to tell remembered blocks apart before comparing them whole; at most {@link #MIN_SHARED_BYTES}. */
    private static final int PREFIX_BYTES = 256;

    /** Remembered blocks, the last used first. */
    private final Deque<Known> recent = new ArrayDeque<>();

    @Override
    public InputStream stream(SotwRequest value) {
        return new ByteArrayInputStream(value.whole().toByteArray());
    }

    @Override
    public SotwRequest parse(InputStream stream) {
        try {
            return parse(readAll(stream));
        } catch (IOException e) {
            throw Status.INTERNAL
                    .withDescription("cannot read a DiscoveryRequest: " + e.getMessage())
                    .withCause(e)
                    .asRuntimeException();
        }
    }

    /**
     * gRPC's streams know their length: one read into one array, instead of readAllBytes' chunks and copies. available()
     * is only an estimate, so the end is confirmed by a read.
     */
    private static byte[] readAll(InputStream stream) throws IOException {
        int known = stream.available();
        if (known <= 0) return stream.readAllBytes();
        byte[] bytes = new byte[known];
        int n = stream.readNBytes(bytes, 0, known);
        int next = n < known ? -1 : stream.read();
        if (n == known && next < 0) return bytes;
        byte[] rest = stream.readAllBytes();
        if (next < 0) return concat(bytes, n, rest);
        byte[] tail = new byte[rest.length + 1];
        tail[0] = (byte) next;
        System.arraycopy(rest, 0, tail, 1, rest.length);
        return concat(bytes, n, tail);
    }

    private static byte[] concat(byte[] head, int length, byte[] rest) {
        byte[] all = Arrays.copyOf(head, length + rest.length);
        System.arraycopy(rest, 0, all, length, rest.length);
        return all;
    }

    SotwRequest parse(byte[] bytes) throws IOException {
        int first = nextNames(bytes, 0);
        if (first < 0) return new SotwRequest(DiscoveryRequest.parseFrom(bytes), List.of());
        // An ACK repeats the names its client asked before: a remembered block at the first names field, with no
        // names after it, is the whole run, found without stepping through its 10,000 fields.
        Known known = known(bytes, first);
        if (known != null) return new SotwRequest(fieldsAround(bytes, first, first + known.bytes.length), known.names);
        // Where the names are: one run of consecutive resource_names fields, as every encoder writes them.
        CodedInputStream in = CodedInputStream.newInstance(bytes);
        int from = -1;
        int to = -1;
        boolean oneRun = true;
        for (int at = in.getTotalBytesRead(), tag = in.readTag();
                tag != 0;
                at = in.getTotalBytesRead(), tag = in.readTag()) {
            if (tag == NAMES_TAG) {
                if (from < 0) from = at;
                else if (to != at) oneRun = false;
                in.skipField(tag);
                to = in.getTotalBytesRead();
            } else {
                in.skipField(tag);
            }
        }
        if (!oneRun || to - from < MIN_SHARED_BYTES) {
            DiscoveryRequest whole = DiscoveryRequest.parseFrom(bytes);
            return new SotwRequest(whole.toBuilder().clearResourceNames().build(), whole.getResourceNamesList());
        }
        return new SotwRequest(fieldsAround(bytes, from, to), names(bytes, from, to));
    }

    /** Fields may come in any order and merge, so the request's other fields are parsed around its names. */
    private static DiscoveryRequest fieldsAround(byte[] bytes, int from, int to) throws IOException {
        return DiscoveryRequest.newBuilder()
                .mergeFrom(bytes, 0, from)
                .mergeFrom(bytes, to, bytes.length - to)
                .build();
    }

    /** Where the first resource_names field at or after {@code at} starts, stepping over other fields; -1 if none. */
    private static int nextNames(byte[] bytes, int at) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes, at, bytes.length - at);
        for (int pos = 0, tag = in.readTag(); tag != 0; pos = in.getTotalBytesRead(), tag = in.readTag()) {
            if (tag == NAMES_TAG) return at + pos;
            in.skipField(tag);
        }
        return -1;
    }

    /**
     * The remembered block that {@code bytes} repeat from {@code at} with no names field after it (a block followed by
     * more names is only the start of the run), if any.
     */
    private Known known(byte[] bytes, int at) throws IOException {
        if (bytes.length - at < MIN_SHARED_BYTES) return null;
        int prefix = prefixHash(bytes, at);
        List<Known> candidates = new ArrayList<>(2);
        synchronized (recent) {
            for (Known k : recent) if (k.prefix == prefix && k.matches(bytes, at)) candidates.add(k);
        }
        for (Known k : candidates) {
            if (nextNames(bytes, at + k.bytes.length) >= 0) continue;
            synchronized (recent) {
                if (recent.remove(k)) recent.addFirst(k);
            }
            return k;
        }
        return null;
    }

    private List<String> names(byte[] bytes, int from, int to) throws IOException {
        CodedInputStream in = CodedInputStream.newInstance(bytes, from, to - from);
        List<String> names = new ArrayList<>();
        while (in.readTag() != 0) names.add(in.readStringRequireUtf8());
        Known made = new Known(Arrays.copyOfRange(bytes, from, to), prefixHash(bytes, from), List.copyOf(names));
        synchronized (recent) {
            // Another thread may have read the same block meanwhile: requests asking alike keep one list.
            for (Known k : recent) if (k.prefix == made.prefix && k.same(made.bytes)) return k.names;
            recent.addFirst(made);
            if (recent.size() > REMEMBERED) recent.removeLast();
        }
        return made.names;
    }

    /** The hash of the first bytes of a block (each remembered block has at least {@link #MIN_SHARED_BYTES}). */
    private static int prefixHash(byte[] bytes, int at) {
        int h = 1;
        for (int i = at, end = at + PREFIX_BYTES; i < end; i++) h = 31 * h + bytes[i];
        return h;
    }

    /**
     * A block of names fields seen before (a copy of its bytes), the hash of its first bytes, and its names. Equal by
     * identity only: the deque's remove must not compare 10,000 names.
     */
    private static final class Known {
        final byte[] bytes;
        final int prefix;
        final List<String> names;

        Known(byte[] bytes, int prefix, List<String> names) {
            this.bytes = bytes;
            this.prefix = prefix;
            this.names = names;
        }

        /** Whether {@code other} holds exactly these bytes at {@code at} (and maybe more after). */
        boolean matches(byte[] other, int at) {
            return other.length - at >= bytes.length
                    && Arrays.equals(bytes, 0, bytes.length, other, at, at + bytes.length);
        }

        boolean same(byte[] other) {
            return Arrays.equals(bytes, other);
        }
    }
}
