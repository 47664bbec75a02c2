package io.nodemesh.envoy.bench;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
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
 * processes. Every byte is still read off the socket and walked.
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
                    return LightResponse.parse(CodedInputStream.newInstance(stream), delta);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    private static LightResponse parse(CodedInputStream in, boolean delta) throws IOException {
        in.setSizeLimit(Integer.MAX_VALUE);
        String type = "", version = "", nonce = "";
        int count = 0;
        List<String> names = new ArrayList<>();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            switch (WireFormat.getTagFieldNumber(tag)) {
                case VERSION -> version = in.readStringRequireUtf8();
                case TYPE_URL -> type = in.readStringRequireUtf8();
                case NONCE -> nonce = in.readStringRequireUtf8();
                case RESOURCES -> {
                    count++;
                    if (delta) names.add(name(in.readBytes()));
                    else in.skipField(tag);
                }
                default -> in.skipField(tag);
            }
        }
        return new LightResponse(type, version, nonce, count, names, in.getTotalBytesRead());
    }

    private static String name(ByteString resource) throws IOException {
        CodedInputStream in = resource.newCodedInput();
        for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
            if (WireFormat.getTagFieldNumber(tag) == RESOURCE_NAME) return in.readStringRequireUtf8();
            in.skipField(tag);
        }
        return "";
    }
}
