package io.nodemesh.envoy.bench;

import com.google.protobuf.WireFormat;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What the benchmark's clients read of an xDS response (state-of-the-world or delta): version, nonce, type, the number
 * of resources and (delta) their names, and the size. The clients run in the server's JVM on the same two cores, and
 * parsing every resource of 100 × 5 MB into messages would measure the clients, not the server: real proxies are other
 * processes. Every byte is still received; the packed resources are skipped in gRPC's buffers rather than copied.
 */
record LightResponse(String typeUrl, String version, String nonce, int resources, List<String> names, long bytes) {
    /** Field numbers shared by {@code DiscoveryResponse} and {@code DeltaDiscoveryResponse}. */
    private static final int VERSION = 1, RESOURCES = 2, TYPE_URL = 4, NONCE = 5;
    /** {@code Resource.name} in a delta response. */
    private static final int RESOURCE_NAME = 3;

    static MethodDescriptor.Marshaller<LightResponse> marshaller(boolean delta) {
        return new MethodDescriptor.Marshaller<>() {
            @Override
            public InputStream stream(LightResponse value) {
                throw new UnsupportedOperationException("clients only receive responses");
            }

            @Override
            public LightResponse parse(InputStream stream) {
                try {
                    return LightResponse.parse(new Counting(stream), delta);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * Reads the top-level fields. A state-of-the-world resource is skipped, not copied (gRPC's stream skips within
     * its buffers): it has been received, and what a client then does with it is not the server's cost.
     */
    private static LightResponse parse(Counting in, boolean delta) throws IOException {
        String type = "", version = "", nonce = "";
        int count = 0;
        List<String> names = new ArrayList<>();
        for (long tag = in.varint(); tag >= 0; tag = in.varint()) {
            int field = (int) (tag >>> 3);
            switch ((int) (tag & 7)) {
                case WireFormat.WIRETYPE_VARINT -> in.varint();
                case WireFormat.WIRETYPE_FIXED64 -> in.skip(8);
                case WireFormat.WIRETYPE_FIXED32 -> in.skip(4);
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int length = (int) in.varint();
                    if (field == RESOURCES) {
                        count++;
                        if (delta) names.add(name(in, length));
                        else in.skip(length);
                    } else if (field == VERSION || field == TYPE_URL || field == NONCE) {
                        String value = new String(in.bytes(length), java.nio.charset.StandardCharsets.UTF_8);
                        if (field == VERSION) version = value;
                        else if (field == TYPE_URL) type = value;
                        else nonce = value;
                    } else {
                        in.skip(length);
                    }
                }
                default -> throw new IOException("unexpected wire type in tag " + tag);
            }
        }
        return new LightResponse(type, version, nonce, count, names, in.count);
    }

    /** A stream read by hand, counting its bytes. */
    private static final class Counting {
        private final InputStream in;
        long count;

        /** Buffered: gRPC's stream answers a one-byte read with several calls into its buffers, and varints are read byte by byte. */
        Counting(InputStream in) {
            this.in = new java.io.BufferedInputStream(in, 8192);
        }

        /** The next varint, or -1 at the end of the stream. */
        long varint() throws IOException {
            long value = 0;
            for (int shift = 0; ; shift += 7) {
                int b = in.read();
                if (b < 0) {
                    if (shift == 0) return -1;
                    throw new IOException("truncated varint");
                }
                count++;
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) return value;
            }
        }

        byte[] bytes(int length) throws IOException {
            byte[] b = in.readNBytes(length);
            if (b.length < length) throw new IOException("truncated field");
            count += length;
            return b;
        }

        void skip(long length) throws IOException {
            in.skipNBytes(length);
            count += length;
        }
    }

    /** A delta {@code Resource}'s name, read in passing: the rest of it (the packed resource) is skipped. */
    private static String name(Counting in, int length) throws IOException {
        long end = in.count + length;
        String name = "";
        while (in.count < end) {
            long tag = in.varint();
            switch ((int) (tag & 7)) {
                case WireFormat.WIRETYPE_VARINT -> in.varint();
                case WireFormat.WIRETYPE_FIXED64 -> in.skip(8);
                case WireFormat.WIRETYPE_FIXED32 -> in.skip(4);
                case WireFormat.WIRETYPE_LENGTH_DELIMITED -> {
                    int n = (int) in.varint();
                    if (tag >>> 3 == RESOURCE_NAME)
                        name = new String(in.bytes(n), java.nio.charset.StandardCharsets.UTF_8);
                    else in.skip(n);
                }
                default -> throw new IOException("unexpected wire type in tag " + tag);
            }
        }
        return name;
    }
}
