package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.CodedOutputStream;
import com.google.rpc.Status;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link SharedNamesMarshaller} parses exactly what protobuf parses, shares the name strings of equal name blocks, and
 * never turns broken bytes into a request.
 */
class SharedNamesMarshallerTest {
    private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";

    /** Names of random lengths (also empty, long, non-ASCII), often repeated within a list. */
    private static Arbitrary<List<String>> names() {
        Arbitrary<String> one = Arbitraries.oneOf(
                Arbitraries.strings()
                        .alpha()
                        .numeric()
                        .withChars("./-_")
                        .ofMinLength(0)
                        .ofMaxLength(60),
                Arbitraries.strings()
                        .withCharRange('\u00a0', '\u07ff')
                        .withCharRange('\u4e00', '\u4e50')
                        .ofMaxLength(20),
                Arbitraries.strings()
                        .withChars("a\u00e9\u20ac\ud83d\ude00")
                        .ofMaxLength(8)
                        .filter(SharedNamesMarshallerTest::wellFormed), // no lone surrogates
                Arbitraries.strings().ascii().ofMinLength(200).ofMaxLength(400));
        Arbitrary<Integer> size = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(2, Arbitraries.integers().between(0, 5)),
                net.jqwik.api.Tuple.of(5, Arbitraries.integers().between(30, 2_000)),
                net.jqwik.api.Tuple.of(1, Arbitraries.integers().between(10_000, 20_000)));
        return size.flatMap(n -> one.list().ofSize(n))
                .flatMap(list -> list.isEmpty()
                        ? Arbitraries.just(list)
                        // duplicates: some names repeated at random places
                        : Arbitraries.integers()
                                .between(0, list.size() - 1)
                                .list()
                                .ofMaxSize(50)
                                .map(picks -> {
                                    List<String> out = new ArrayList<>(list);
                                    for (int p : picks) out.add(p % (out.size() + 1), list.get(p));
                                    return out;
                                }));
    }

    @Provide
    Arbitrary<DiscoveryRequest> requests() {
        Arbitrary<String> s = Arbitraries.strings().ofMaxLength(30).filter(SharedNamesMarshallerTest::wellFormed);
        return Combinators.combine(
                        s,
                        s,
                        s,
                        s,
                        Arbitraries.of("", EDS, "type.googleapis.com/envoy.config.cluster.v3.Cluster"),
                        Arbitraries.strings()
                                .ofMaxLength(40)
                                .filter(SharedNamesMarshallerTest::wellFormed)
                                .injectNull(0.6),
                        names())
                .as((nodeId, cluster, version, nonce, type, error, names) -> {
                    var b = DiscoveryRequest.newBuilder()
                            .setVersionInfo(version)
                            .setResponseNonce(nonce)
                            .setTypeUrl(type)
                            .addAllResourceNames(names);
                    if (!nodeId.isEmpty())
                        b.setNode(Node.newBuilder().setId(nodeId).setCluster(cluster));
                    if (error != null)
                        b.setErrorDetail(Status.newBuilder().setCode(13).setMessage(error));
                    return b.build();
                });
    }

    /** Strings that survive UTF-8 (no lone surrogates), so a request equals what it parses back to. */
    private static boolean wellFormed(String s) {
        return new String(s.getBytes(java.nio.charset.StandardCharsets.UTF_8), java.nio.charset.StandardCharsets.UTF_8)
                .equals(s);
    }

    @Property(tries = 60)
    void parsesExactlyWhatProtobufParses(@ForAll("requests") DiscoveryRequest request) throws IOException {
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        byte[] bytes = request.toByteArray();
        DiscoveryRequest parsed = m.parse(bytes).whole();
        same(parsed, DiscoveryRequest.parseFrom(bytes));
        same(parsed, request);
        // A second parse, now from the remembered block, is still the same request.
        same(m.parse(bytes), request);
        same(m.parse(new ByteArrayInputStream(bytes)), request);
    }

    @Property(tries = 30)
    void requestsWithTheSameNameBlockShareTheVeryStrings(
            @ForAll("requests") DiscoveryRequest a, @ForAll @IntRange(max = 1000) int nonce) throws IOException {
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        DiscoveryRequest b = a.toBuilder()
                .setResponseNonce("other-" + nonce)
                .setVersionInfo("v" + nonce)
                .setErrorDetail(Status.newBuilder().setMessage("nack " + nonce))
                .build();
        DiscoveryRequest first = m.parse(a.toByteArray()).whole();
        DiscoveryRequest second = m.parse(b.toByteArray()).whole();
        same(second, b);
        int blockBytes = a.getResourceNamesList().stream()
                .mapToInt(n -> CodedOutputStream.computeStringSize(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n))
                .sum();
        if (blockBytes < 2048) return; // small blocks are parsed the ordinary way: nothing shared
        for (int i = 0; i < a.getResourceNamesCount(); i++) {
            assertThat(second.getResourceNamesList().get(i))
                    .isSameAs(first.getResourceNamesList().get(i));
        }
    }

    @Test
    void sharesAcrossManyRequestsAndNotBetweenDifferentBlocks() throws IOException {
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        List<String> names = manyNames("svc", 500);
        List<String> others = new ArrayList<>(names);
        others.set(250, "different");
        DiscoveryRequest first = m.parse(request(names, "1", "a").toByteArray()).whole();
        DiscoveryRequest other =
                m.parse(request(others, "1", "a").toByteArray()).whole();
        DiscoveryRequest again = m.parse(request(names, "2", "b").toByteArray()).whole();
        assertThat(again.getResourceNamesList()).isEqualTo(names);
        assertThat(again.getResourceNames(0)).isSameAs(first.getResourceNames(0));
        assertThat(again.getResourceNames(499)).isSameAs(first.getResourceNames(499));
        assertThat(other.getResourceNamesList()).isEqualTo(others);
        assertThat(other.getResourceNames(0)).isNotSameAs(first.getResourceNames(0));
    }

    /**
     * Requests with the same large name block (ACKs of one client, or of clients asking alike) share the very list
     * object, which is what lets the stream recognize an unchanged subscription by identity; a different block gets a
     * list of its own.
     */
    @Test
    void requestsWithTheSameLargeBlockShareOneListObject() throws IOException {
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        List<String> names = manyNames("svc", 500);
        List<String> others = new ArrayList<>(names);
        others.set(499, "different");
        SotwRequest first = m.parse(request(names, "1", "a").toByteArray());
        SotwRequest ack = m.parse(request(names, "2", "b").toByteArray());
        SotwRequest other = m.parse(request(others, "2", "b").toByteArray());
        assertThat(ack.names()).isSameAs(first.names()).isEqualTo(names);
        assertThat(ack.fields().getVersionInfo()).isEqualTo("2");
        assertThat(ack.fields().getResponseNonce()).isEqualTo("b");
        assertThat(other.names()).isNotSameAs(first.names()).isEqualTo(others);
        List<String> few = List.of("a", "b");
        assertThat(m.parse(request(few, "1", "a").toByteArray()).names()).isEqualTo(few);
    }

    /**
     * A remembered block that is only the start of a request's names (more names follow, right after it or after
     * another field), or a longer remembered block of which the request asks only the start: never taken for the run.
     */
    @Test
    void aRememberedBlockIsTheRunOnlyWhenNoNamesFollowIt() throws IOException {
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        List<String> names = manyNames("svc", 300);
        List<String> more = new ArrayList<>(names);
        more.add("one-more");
        m.parse(request(names, "1", "a").toByteArray());
        same(m.parse(request(more, "2", "b").toByteArray()), request(more, "2", "b"));
        // now both are remembered, the longer one last used: the shorter one must still be found alone
        same(m.parse(request(names, "3", "c").toByteArray()), request(names, "3", "c"));
        same(m.parse(request(more, "4", "d").toByteArray()), request(more, "4", "d"));
        // the block, another field, then more names: not one run, parsed as protobuf does
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (String n : names) out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
        out.writeString(DiscoveryRequest.RESPONSE_NONCE_FIELD_NUMBER, "n");
        out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, "after");
        out.flush();
        byte[] wire = bytes.toByteArray();
        SotwRequest split = m.parse(wire);
        same(split, DiscoveryRequest.parseFrom(wire));
        assertThat(split.names()).hasSize(301).endsWith("after");
    }

    /** Blocks of equal length that differ in one byte anywhere (hashed or not) are different blocks. */
    @Test
    void blocksDifferingInOneByteAreNotConfused() throws IOException {
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        List<String> names = manyNames("svc", 300);
        m.parse(request(names, "1", "a").toByteArray());
        String victim = names.get(100);
        for (int at = 0; at < victim.length(); at++) {
            char[] chars = victim.toCharArray();
            chars[at] = chars[at] == 'x' ? 'y' : 'x';
            List<String> other = new ArrayList<>(names);
            other.set(100, new String(chars));
            DiscoveryRequest parsed =
                    m.parse(request(other, "2", "b").toByteArray()).whole();
            assertThat(parsed.getResourceNames(100))
                    .as("byte %d of name 100 changed", at)
                    .isEqualTo(other.get(100));
        }
        assertThat(m.parse(request(names, "3", "c").toByteArray()).names().equals(names))
                .isTrue();
    }

    /** Names split by other fields (any encoder may do that): parsed like protobuf does, names in wire order. */
    @Property(tries = 40)
    void namesInterleavedWithOtherFieldsParseRight(
            @ForAll("requests") DiscoveryRequest request, @ForAll @IntRange(min = 0, max = 1000) int splitAt)
            throws IOException {
        List<String> names = request.getResourceNamesList();
        if (names.isEmpty()) names = manyNames("x", 300);
        int split = splitAt % (names.size() + 1);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (String n : names.subList(0, split)) out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
        out.writeString(DiscoveryRequest.VERSION_INFO_FIELD_NUMBER, "v-first");
        if (request.hasNode()) out.writeMessage(DiscoveryRequest.NODE_FIELD_NUMBER, request.getNode());
        for (String n : names.subList(split, names.size()))
            out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
        out.writeString(DiscoveryRequest.TYPE_URL_FIELD_NUMBER, EDS);
        // fields repeat and merge: the last scalar wins, messages merge
        out.writeString(DiscoveryRequest.VERSION_INFO_FIELD_NUMBER, "v-last");
        out.writeMessage(
                DiscoveryRequest.NODE_FIELD_NUMBER,
                Node.newBuilder().setCluster("merged").build());
        out.writeString(DiscoveryRequest.RESPONSE_NONCE_FIELD_NUMBER, "n");
        out.flush();
        byte[] wire = bytes.toByteArray();
        DiscoveryRequest parsed = new SharedNamesMarshaller().parse(wire).whole();
        same(parsed, DiscoveryRequest.parseFrom(wire));
        assertThat(parsed.getResourceNamesList().equals(names)).isTrue();
        assertThat(parsed.getVersionInfo()).isEqualTo("v-last");
        assertThat(parsed.getNode().getCluster()).isEqualTo("merged");
    }

    /** One contiguous block, other fields (repeated, merging) before and after it: the shared path keeps field order. */
    @Test
    void fieldsAroundOneSharedBlockMergeInWireOrder() throws IOException {
        List<String> names = manyNames("eds", 400);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        out.writeString(DiscoveryRequest.VERSION_INFO_FIELD_NUMBER, "before");
        out.writeMessage(
                DiscoveryRequest.NODE_FIELD_NUMBER,
                Node.newBuilder().setId("id").setCluster("c1").build());
        for (String n : names) out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
        out.writeString(DiscoveryRequest.VERSION_INFO_FIELD_NUMBER, "after");
        out.writeMessage(
                DiscoveryRequest.NODE_FIELD_NUMBER,
                Node.newBuilder().setCluster("c2").build());
        out.writeUInt32(99, 7); // an unknown field is kept too
        out.flush();
        byte[] wire = bytes.toByteArray();
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        for (int i = 0; i < 2; i++) {
            DiscoveryRequest parsed = m.parse(wire).whole();
            assertThat(parsed).isEqualTo(DiscoveryRequest.parseFrom(wire));
            assertThat(parsed.getVersionInfo()).isEqualTo("after");
            assertThat(parsed.getNode().getId()).isEqualTo("id");
            assertThat(parsed.getNode().getCluster()).isEqualTo("c2");
            assertThat(parsed.getUnknownFields().hasField(99)).isTrue();
        }
    }

    /** Every truncation of a request (large or small name block) fails, or parses to what protobuf parses. */
    @Property(tries = 30)
    void truncatedInputFailsInsteadOfParsingWrong(
            @ForAll("requests") DiscoveryRequest request, @ForAll @IntRange(min = 1, max = 1_000_000) int cut) {
        byte[] bytes = request.toByteArray();
        if (bytes.length == 0) return;
        byte[] head = Arrays.copyOf(bytes, cut % bytes.length);
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        m.parse(new ByteArrayInputStream(bytes)); // the block is remembered: a truncation must not find it
        sameOutcome(m, head);
    }

    @Test
    void everyTruncationOfALargeBlockFails() throws IOException {
        byte[] bytes = request(manyNames("svc", 300), "1", "nonce").toByteArray();
        SharedNamesMarshaller m = new SharedNamesMarshaller();
        m.parse(bytes);
        for (int cut = 1; cut < bytes.length; cut++) sameOutcome(m, Arrays.copyOf(bytes, cut));
    }

    /** Random bytes, or a valid request with bytes flipped: never a request protobuf would not produce. */
    @Property(tries = 300)
    void garbageFailsOrParsesLikeProtobuf(@ForAll("garbage") byte[] bytes) {
        sameOutcome(new SharedNamesMarshaller(), bytes);
    }

    @Provide
    Arbitrary<byte[]> garbage() {
        byte[] valid = request(manyNames("g", 200), "7", "n").toByteArray();
        Arbitrary<byte[]> flipped = Combinators.combine(
                        Arbitraries.integers()
                                .between(0, valid.length - 1)
                                .list()
                                .ofMinSize(1)
                                .ofMaxSize(5),
                        Arbitraries.bytes().list().ofSize(5))
                .as((at, values) -> {
                    byte[] b = valid.clone();
                    for (int i = 0; i < at.size(); i++) b[at.get(i)] = values.get(i);
                    return b;
                });
        return Arbitraries.oneOf(Arbitraries.bytes().array(byte[].class).ofMaxSize(5000), flipped);
    }

    /** A malformed name (not UTF-8) inside a large block fails, as protobuf's proto3 string check does. */
    @Test
    void invalidUtf8InASharedBlockFails() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        for (String n : manyNames("u", 300)) out.writeString(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, n);
        out.writeByteArray(DiscoveryRequest.RESOURCE_NAMES_FIELD_NUMBER, new byte[] {'a', (byte) 0xc3, (byte) 0x28});
        out.flush();
        byte[] wire = bytes.toByteArray();
        assertThatThrownBy(() -> DiscoveryRequest.parseFrom(wire)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new SharedNamesMarshaller().parse(wire)).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> new SharedNamesMarshaller().parse(new ByteArrayInputStream(wire)))
                .isInstanceOf(RuntimeException.class);
    }

    private static void sameOutcome(SharedNamesMarshaller m, byte[] bytes) {
        DiscoveryRequest expected;
        try {
            expected = DiscoveryRequest.parseFrom(bytes);
        } catch (IOException e) {
            assertThatThrownBy(() -> m.parse(bytes))
                    .as("protobuf rejects %d bytes", bytes.length)
                    .isInstanceOf(IOException.class);
            assertThatThrownBy(() -> m.parse(new ByteArrayInputStream(bytes))).isInstanceOf(RuntimeException.class);
            return;
        }
        try {
            same(m.parse(bytes), expected);
        } catch (IOException e) {
            throw new AssertionError("protobuf parses " + bytes.length + " bytes, the marshaller fails", e);
        }
    }

    /** gRPC's streams report their exact length; any other stream must still be read to its end. */
    @Property(tries = 30)
    void readsStreamsWhoseAvailableIsZeroOrLies(@ForAll("requests") DiscoveryRequest request, @ForAll("lies") Lie lie) {
        byte[] bytes = request.toByteArray();
        same(new SharedNamesMarshaller().parse(lie.over(bytes)), request);
    }

    @Provide
    Arbitrary<Lie> lies() {
        return Arbitraries.of(Lie.ZERO, Lie.TOO_MANY, Lie.TOO_FEW, Lie.ONE);
    }

    /**
     * available() is an estimate: 0 does not mean the end (a SequenceInputStream reports 0 at the seam of its parts, a
     * socket stream when nothing is buffered yet). Reading must go on to the end of the stream.
     */
    @Test
    void readsAStreamWhoseAvailableIsZeroBeforeItsEnd() {
        DiscoveryRequest small = request(List.of("a", "b"), "1", "n");
        DiscoveryRequest large = request(manyNames("seam", 300), "1", "n");
        for (DiscoveryRequest r : List.of(small, large)) {
            same(new SharedNamesMarshaller().parse(Lie.SPLIT.over(r.toByteArray())), r);
            same(
                    new SharedNamesMarshaller()
                            .parse(new Lying(new ByteArrayInputStream(r.toByteArray()), n -> n > 0 ? n / 2 : 0)),
                    r);
        }
    }

    enum Lie {
        ZERO,
        TOO_MANY,
        TOO_FEW,
        ONE,
        SPLIT;

        InputStream over(byte[] bytes) {
            InputStream in = new ByteArrayInputStream(bytes);
            return switch (this) {
                case ZERO -> new Lying(in, r -> 0);
                case TOO_MANY -> new Lying(in, r -> r + 1000);
                case TOO_FEW -> new Lying(in, r -> Math.max(1, r / 2));
                case ONE -> new Lying(in, r -> 1);
                // A legal stream whose available() counts only the part at hand: 0 at the seam, more data after it.
                case SPLIT ->
                    new SequenceInputStream(
                            new ByteArrayInputStream(bytes, 0, bytes.length / 2),
                            new ByteArrayInputStream(bytes, bytes.length / 2, bytes.length - bytes.length / 2));
            };
        }
    }

    private static final class Lying extends java.io.FilterInputStream {
        private final java.util.function.IntUnaryOperator lie;

        Lying(InputStream in, java.util.function.IntUnaryOperator lie) {
            super(in);
            this.lie = lie;
        }

        @Override
        public int available() throws IOException {
            return lie.applyAsInt(super.available());
        }
    }

    /** The request read, whole, equals {@code expected}; its fields apart from the names carry no names. */
    static void same(SotwRequest actual, DiscoveryRequest expected) {
        assertThat(actual.fields().getResourceNamesCount()).isZero();
        same(actual.whole(), expected);
    }

    /** Equality with a short message: these requests may print as megabytes. */
    static void same(DiscoveryRequest actual, DiscoveryRequest expected) {
        if (actual.equals(expected)) return;
        List<String> a = actual.getResourceNamesList();
        List<String> e = expected.getResourceNamesList();
        int firstDiff = 0;
        while (firstDiff < Math.min(a.size(), e.size()) && a.get(firstDiff).equals(e.get(firstDiff))) firstDiff++;
        throw new AssertionError("requests differ: names " + a.size() + " vs " + e.size() + " (first difference at "
                + firstDiff
                + "), rest equal: "
                + actual.toBuilder()
                        .clearResourceNames()
                        .build()
                        .equals(expected.toBuilder().clearResourceNames().build())
                + "\nactual without names: "
                + actual.toBuilder().clearResourceNames().build()
                + "\nexpected without names: "
                + expected.toBuilder().clearResourceNames().build());
    }

    private static List<String> manyNames(String prefix, int n) {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) names.add(prefix + "-" + i + ".namespace.svc.cluster.local:8080");
        return names;
    }

    private static DiscoveryRequest request(List<String> names, String version, String nonce) {
        return DiscoveryRequest.newBuilder()
                .setNode(Node.newBuilder().setId("node-a"))
                .setTypeUrl(EDS)
                .setVersionInfo(version)
                .setResponseNonce(nonce)
                .addAllResourceNames(names)
                .build();
    }
}
