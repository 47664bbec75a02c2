package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.WireFormat;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

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
 */
final class SharedNamesMarshaller implements MethodDescriptor.Marshaller<SotwRequest> {
    private static final int NAMES_TAG =
            DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER << 3 | WireFormat.WIRETYPE_LENGTH_DELIMITED;
    /** Below this many bytes of names, parsing is as cheap as looking them up. */
    private static final int MIN_SHARED_BYTES = 2048;
    /** How many distinct name blocks to remember (a mesh's clients ask for few distinct sets; each entry is ~ its bytes × 4). */
    private static final int REMEMBERED = 32;

    private final Map<Block, List<String>> recent = new Recent<>(REMEMBERED);

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
        if (from < 0) return new SotwRequest(DiscoveryRequest.parseFrom(bytes), List.of());
        if (!oneRun || to - from < MIN_SHARED_BYTES) {
            DiscoveryRequest whole = DiscoveryRequest.parseFrom(bytes);
            return new SotwRequest(whole.toBuilder().clearResourceNames().build(), whole.getResourceNamesList());
        }
        // Fields may come in any order and merge, so the rest is parsed around the names.
        DiscoveryRequest fields = DiscoveryRequest.newBuilder()
                .mergeFrom(bytes, 0, from)
                .mergeFrom(bytes, to, bytes.length - to)
                .build();
        return new SotwRequest(fields, names(bytes, from, to));
    }

    private List<String> names(byte[] bytes, int from, int to) throws IOException {
        Block probe = new Block(bytes, from, to);
        synchronized (recent) {
            List<String> known = recent.get(probe);
            if (known != null) return known;
        }
        CodedInputStream in = CodedInputStream.newInstance(bytes, from, to - from);
        List<String> names = new ArrayList<>();
        while (in.readTag() != 0) names.add(in.readStringRequireUtf8());
        List<String> shared = List.copyOf(names);
        synchronized (recent) {
            recent.put(probe.copy(), shared);
        }
        return shared;
    }

    /** A range of bytes compared by content; the probe views the request's buffer, the stored key owns a copy. */
    private static final class Block {
        private final byte[] bytes;
        private final int from;
        private final int to;
        private final int hash;

        Block(byte[] bytes, int from, int to) {
            this(bytes, from, to, hash(bytes, from, to));
        }

        private Block(byte[] bytes, int from, int to, int hash) {
            this.bytes = bytes;
            this.from = from;
            this.to = to;
            this.hash = hash;
        }

        /** A sample of the bytes (equality compares them all): hashing 300 KB per request would cost more than it saves. */
        private static int hash(byte[] b, int from, int to) {
            int h = to - from;
            for (int i = from; i < to; i += 61) h = 31 * h + b[i];
            for (int i = Math.max(from, to - 64); i < to; i++) h = 31 * h + b[i];
            return h;
        }

        Block copy() {
            return new Block(Arrays.copyOfRange(bytes, from, to), 0, to - from, hash);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Block b && b.hash == hash && Arrays.equals(bytes, from, to, b.bytes, b.from, b.to);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }
}
