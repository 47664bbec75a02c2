package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.Drainable;
import io.grpc.KnownLength;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link SharedBodyMarshaller}: whatever way gRPC reads a response's stream, the bytes are that response, and the stream
 * reports exactly how many bytes are left.
 */
class SharedBodyMarshallerTest {
    private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

    private static List<Any> resources(int n, String tag) {
        List<Any> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(Any.pack(ClusterLoadAssignment.newBuilder()
                    .setClusterName("c" + i + "-" + tag + "-\u00e9")
                    .build()));
        }
        return out;
    }

    private static DiscoveryResponse response(List<Any> resources, String version, String nonce) {
        return DiscoveryResponse.newBuilder()
                .setVersionInfo(version)
                .setNonce(nonce)
                .setTypeUrl(EDS)
                .addAllResources(resources)
                .build();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 63, 64, 65, 5000})
    void everyWayOfReadingGivesTheResponseBack(int count) throws IOException {
        var m = SharedBodyMarshaller.sotw();
        DiscoveryResponse r = response(resources(count, "x"), "v1", "n1");
        for (Reader reader : Reader.values()) {
            for (int chunk : new int[] {1, 3, 7, 1000, 65_537}) {
                InputStream in = m.stream(r);
                byte[] bytes = reader.read(in, chunk);
                assertThat(DiscoveryResponse.parseFrom(bytes))
                        .as("%s in chunks of %d", reader, chunk)
                        .isEqualTo(r);
                assertThat(bytes).hasSize(r.getSerializedSize());
                assertThat(in.available()).isZero();
                assertThat(in.read()).isEqualTo(-1);
                assertThat(in.read(new byte[4], 0, 4)).isEqualTo(-1);
                assertThat(m.parse(m.stream(r))).isEqualTo(r);
            }
        }
    }

    /** Two responses made of the very same Any objects (the shared block), with their own versions and nonces. */
    @Test
    void responsesSharingTheirAnysKeepTheirOwnFields() throws IOException {
        var m = SharedBodyMarshaller.sotw();
        List<Any> shared = resources(200, "s");
        DiscoveryResponse a = response(shared, "v1", "nonce-a");
        DiscoveryResponse b = response(shared, "v2-longer-version", "b");
        DiscoveryResponse c = a.toBuilder()
                .setControlPlane(io.envoyproxy.envoy.config.core.v3.ControlPlane.newBuilder()
                        .setIdentifier("cp"))
                .build();
        for (DiscoveryResponse r : List.of(a, b, c, a, b)) {
            assertThat(DiscoveryResponse.parseFrom(Reader.DRAIN.read(m.stream(r), 0)))
                    .isEqualTo(r);
            assertThat(DiscoveryResponse.parseFrom(Reader.CHUNKS.read(m.stream(r), 5)))
                    .isEqualTo(r);
        }
    }

    /** Equal content in other Any objects, or one Any swapped: never the block of other objects. */
    @Test
    void responsesWithOtherAnyObjectsAreEncodedFromTheirOwn() throws IOException {
        var m = SharedBodyMarshaller.sotw();
        List<Any> first = resources(100, "s");
        DiscoveryResponse a = response(first, "v1", "n");
        assertThat(DiscoveryResponse.parseFrom(Reader.DRAIN.read(m.stream(a), 0)))
                .isEqualTo(a);

        DiscoveryResponse equalContent = response(resources(100, "s"), "v1", "n");
        assertThat(DiscoveryResponse.parseFrom(Reader.DRAIN.read(m.stream(equalContent), 0)))
                .isEqualTo(equalContent);

        List<Any> oneSwapped = new ArrayList<>(first);
        oneSwapped.set(
                57,
                Any.pack(ClusterLoadAssignment.newBuilder()
                        .setClusterName("swapped")
                        .build()));
        DiscoveryResponse swapped = response(oneSwapped, "v2", "n2");
        assertThat(DiscoveryResponse.parseFrom(Reader.DRAIN.read(m.stream(swapped), 0)))
                .isEqualTo(swapped);

        DiscoveryResponse fewer = response(first.subList(0, 99), "v3", "n3");
        assertThat(DiscoveryResponse.parseFrom(Reader.SINGLE.read(m.stream(fewer), 0)))
                .isEqualTo(fewer);

        // Many distinct blocks (more than it remembers), then the first again.
        for (int i = 0; i < 10; i++) {
            DiscoveryResponse r = response(resources(70, "round" + i), "r" + i, "n" + i);
            assertThat(DiscoveryResponse.parseFrom(Reader.DRAIN.read(m.stream(r), 0)))
                    .isEqualTo(r);
        }
        assertThat(DiscoveryResponse.parseFrom(Reader.CHUNKS.read(m.stream(a), 11)))
                .isEqualTo(a);
    }

    /** available() is the exact count of unread bytes at every point, whichever way is used to read. */
    @ParameterizedTest
    @ValueSource(ints = {0, 10, 64, 300})
    void availableIsExactThroughout(int count) throws IOException {
        var m = SharedBodyMarshaller.sotw();
        DiscoveryResponse r = response(resources(count, "k"), "version", "nonce");
        int total = r.getSerializedSize();
        InputStream in = m.stream(r);
        assertThat(in).isInstanceOf(KnownLength.class).isInstanceOf(Drainable.class);
        int read = 0;
        int step = 0;
        byte[] buf = new byte[97];
        while (true) {
            assertThat(in.available()).isEqualTo(total - read);
            int n;
            // mixed reads: single bytes, odd chunks, zero-length reads
            switch (step++ % 4) {
                case 0 -> n = in.read() < 0 ? -1 : 1;
                case 1 -> n = in.read(buf, 3, 1 + step % 90);
                case 2 -> n = in.read(buf, 0, 0);
                default -> n = in.read(buf, 0, 13);
            }
            if (n < 0) break;
            read += n;
            if (read > total / 2 && step % 7 == 0) {
                // drain what is left from the middle
                ByteArrayOutputStream rest = new ByteArrayOutputStream();
                int drained = ((Drainable) in).drainTo(rest);
                assertThat(drained).isEqualTo(total - read).isEqualTo(rest.size());
                read += drained;
                assertThat(in.available()).isZero();
                break;
            }
        }
        assertThat(read).isEqualTo(total);
        assertThat(in.available()).isZero();
    }

    /** A drain after part was read sends the rest only, and the concatenation is the response. */
    @Test
    void drainAfterPartialReadsSendsTheRest() throws IOException {
        var m = SharedBodyMarshaller.sotw();
        DiscoveryResponse r = response(resources(100, "p"), "version-1", "nonce-1");
        int headLength = r.toBuilder().clearResources().build().getSerializedSize();
        for (int first :
                new int[] {0, 1, headLength - 1, headLength, headLength + 1, headLength + 500, r.getSerializedSize()}) {
            InputStream in = m.stream(r);
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.write(in.readNBytes(first));
            int drained = ((Drainable) in).drainTo(all);
            assertThat(drained).isEqualTo(r.getSerializedSize() - first);
            assertThat(DiscoveryResponse.parseFrom(all.toByteArray()))
                    .as("drain after %d bytes", first)
                    .isEqualTo(r);
        }
    }

    // ---- delta: Resource wrappers made per client around the same name, version and Any objects ----

    private static List<io.envoyproxy.envoy.service.discovery.v3.Resource> wrapped(
            List<String> names,
            List<String> versions,
            List<Any> anys,
            java.util.function.UnaryOperator<io.envoyproxy.envoy.service.discovery.v3.Resource.Builder> extra) {
        List<io.envoyproxy.envoy.service.discovery.v3.Resource> out = new ArrayList<>();
        for (int i = 0; i < anys.size(); i++) {
            out.add(extra.apply(io.envoyproxy.envoy.service.discovery.v3.Resource.newBuilder()
                            .setName(names.get(i))
                            .setVersion(versions.get(i))
                            .setResource(anys.get(i)))
                    .build());
        }
        return out;
    }

    private static io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse deltaResponse(
            List<io.envoyproxy.envoy.service.discovery.v3.Resource> resources,
            String version,
            String nonce,
            List<String> removed) {
        return io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse.newBuilder()
                .setSystemVersionInfo(version)
                .setNonce(nonce)
                .setTypeUrl(EDS)
                .addAllResources(resources)
                .addAllRemovedResources(removed)
                .build();
    }

    private static io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse roundTrip(
            SharedBodyMarshaller<io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse, ?> m,
            io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse r,
            Reader reader)
            throws IOException {
        InputStream in = m.stream(r);
        assertThat(in.available()).isEqualTo(r.getSerializedSize());
        byte[] bytes = reader.read(in, 7);
        assertThat(in.available()).isZero();
        return io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse.parseFrom(bytes);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 10, 64, 500})
    void deltaResponsesRoundTripWhicheverWayTheyAreRead(int count) throws IOException {
        var m = SharedBodyMarshaller.delta();
        List<Any> anys = resources(count, "d");
        List<String> names = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            names.add("c" + i);
            versions.add("v" + i);
        }
        // two clients: each its own Resource objects around the same strings and Anys, other nonces and removals
        var a = deltaResponse(wrapped(names, versions, anys, b -> b), "1", "nonce-a", List.of());
        var b = deltaResponse(wrapped(names, versions, anys, x -> x), "2", "b", List.of("gone-1", "gone-2"));
        for (Reader reader : Reader.values()) {
            assertThat(roundTrip(m, a, reader)).isEqualTo(a);
            assertThat(roundTrip(m, b, reader)).isEqualTo(b);
        }
        assertThat(m.parse(m.stream(b))).isEqualTo(b);
    }

    /** A wrapper with more than name, version and resource (ttl, aliases, cache control…) is never sent as a plain one. */
    @Test
    void deltaWrappersWithMoreFieldsAreEncodedFromThemselves() throws IOException {
        var m = SharedBodyMarshaller.delta();
        List<Any> anys = resources(100, "t");
        List<String> names = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < anys.size(); i++) {
            names.add("c" + i);
            versions.add("v" + i);
        }
        var plain = deltaResponse(wrapped(names, versions, anys, b -> b), "1", "n1", List.of());
        assertThat(roundTrip(m, plain, Reader.DRAIN)).isEqualTo(plain);
        List<java.util.function.UnaryOperator<io.envoyproxy.envoy.service.discovery.v3.Resource.Builder>> extras =
                List.of(
                        b -> b.setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(30)),
                        b -> b.addAliases("alias-" + b.getName()),
                        b -> b.setCacheControl(
                                io.envoyproxy.envoy.service.discovery.v3.Resource.CacheControl.newBuilder()
                                        .setDoNotCache(true)),
                        b -> b.setMetadata(io.envoyproxy.envoy.config.core.v3.Metadata.newBuilder()
                                .putFilterMetadata("k", com.google.protobuf.Struct.getDefaultInstance())),
                        b -> b.setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder()
                                .addField(
                                        99,
                                        com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                                                .addVarint(1)
                                                .build())
                                .build()));
        for (var extra : extras) {
            var more = deltaResponse(wrapped(names, versions, anys, extra), "2", "n2", List.of());
            assertThat(roundTrip(m, more, Reader.DRAIN)).isEqualTo(more);
            // and the plain one after it is still plain
            var again = deltaResponse(wrapped(names, versions, anys, b -> b), "3", "n3", List.of());
            assertThat(roundTrip(m, again, Reader.CHUNKS)).isEqualTo(again);
        }
        // another version object for one resource, equal content: still right
        List<String> otherVersions = new ArrayList<>(versions);
        otherVersions.set(50, new String("v50".toCharArray()));
        var equalContent = deltaResponse(wrapped(names, otherVersions, anys, b -> b), "4", "n4", List.of());
        assertThat(roundTrip(m, equalContent, Reader.SINGLE)).isEqualTo(equalContent);
        // a changed version for one resource: that response carries it
        otherVersions.set(50, "v50-changed");
        var changed = deltaResponse(wrapped(names, otherVersions, anys, b -> b), "5", "n5", List.of());
        assertThat(roundTrip(m, changed, Reader.DRAIN).getResources(50).getVersion())
                .isEqualTo("v50-changed");
    }

    enum Reader {
        SINGLE,
        CHUNKS,
        DRAIN,
        READ_ALL;

        byte[] read(InputStream in, int chunk) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            switch (this) {
                case SINGLE -> {
                    for (int b = in.read(); b >= 0; b = in.read()) out.write(b);
                }
                case CHUNKS -> {
                    byte[] buf = new byte[chunk + 5];
                    for (int n = in.read(buf, 2, chunk); n >= 0; n = in.read(buf, 2, chunk)) {
                        assertThat(n).isPositive().isLessThanOrEqualTo(chunk);
                        out.write(buf, 2, n);
                    }
                }
                case DRAIN -> {
                    int left = in.available();
                    assertThat(((Drainable) in).drainTo(out)).isEqualTo(left);
                }
                case READ_ALL -> out.write(in.readAllBytes());
            }
            return out.toByteArray();
        }
    }
}
