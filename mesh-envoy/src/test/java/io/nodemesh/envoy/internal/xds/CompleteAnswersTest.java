package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link CompleteAnswers}: the asked names' resources in order, shared while the map object and the names are the same. */
class CompleteAnswersTest {

    private static ClusterLoadAssignment cla(String name) {
        return ClusterLoadAssignment.newBuilder().setClusterName(name).build();
    }

    private static Map<String, VersionedResource<?>> map(String... names) {
        Map<String, VersionedResource<?>> m = new LinkedHashMap<>();
        for (String n : names) m.put(n, VersionedResource.create(cla(n), "v-" + n));
        return m;
    }

    @Test
    void answersHoldTheAskedResourcesInTheAskedOrder() {
        Map<String, VersionedResource<?>> m = map("a", "b", "c", "d");
        CompleteAnswers.Answer a = new CompleteAnswers().answer(m, List.of("d", "b", "a"));
        assertThat(a)
                .containsExactly(
                        m.get("d").resource(), m.get("b").resource(), m.get("a").resource());
        assertThat(a.get(0)).isSameAs(m.get("d").resource());
        assertThat(a.missing).isFalse();
        assertThat(a.names).containsExactly("d", "b", "a");
    }

    @Test
    void anAbsentNameMakesTheAnswerMissing() {
        Map<String, VersionedResource<?>> m = map("a", "b");
        CompleteAnswers.Answer a = new CompleteAnswers().answer(m, List.of("b", "zz", "a"));
        assertThat(a.missing).isTrue();
        assertThat(a).containsExactly(m.get("b").resource(), m.get("a").resource());
        assertThat(new CompleteAnswers().answer(map(), List.of("x"))).isEmpty();
        assertThat(new CompleteAnswers().answer(map(), List.of("x")).missing).isTrue();
    }

    @Test
    void noNamesIsTheWholeTypeInMapOrder() {
        Map<String, VersionedResource<?>> m = map("c", "a", "b");
        CompleteAnswers.Answer a = new CompleteAnswers().answer(m, List.of());
        assertThat(a)
                .containsExactly(
                        m.get("c").resource(), m.get("a").resource(), m.get("b").resource());
        assertThat(a.missing).isFalse();
        assertThat(new CompleteAnswers().answer(map(), List.of())).isEmpty();
    }

    @Test
    void theSameMapAndNamesGiveTheSameAnswerObject() {
        CompleteAnswers answers = new CompleteAnswers();
        Map<String, VersionedResource<?>> m = map("a", "b", "c");
        List<String> names = new ArrayList<>(List.of("a", "c"));
        CompleteAnswers.Answer first = answers.answer(m, names);
        assertThat(answers.answer(m, List.of(new String("a".toCharArray()), "c")))
                .isSameAs(first);
        assertThat(answers.answer(m, List.of())).isNotSameAs(first).isSameAs(answers.answer(m, List.of()));
        assertThat(answers.answer(m, List.of("c", "a"))).isNotSameAs(first);

        // The caller's list changing afterwards does not change what the remembered answer is for.
        names.set(1, "b");
        CompleteAnswers.Answer changed = answers.answer(m, names);
        assertThat(changed)
                .isNotSameAs(first)
                .containsExactly(m.get("a").resource(), m.get("b").resource());
        assertThat(answers.answer(m, List.of("a", "c"))).isSameAs(first);
        assertThat(first).containsExactly(m.get("a").resource(), m.get("c").resource());
    }

    /** Maps are replaced, never changed in place, when a snapshot changes: another object is another answer. */
    @Test
    void anotherMapObjectIsAnotherAnswerEvenWithEqualContent() {
        CompleteAnswers answers = new CompleteAnswers();
        Map<String, VersionedResource<?>> m = map("a", "b");
        Map<String, VersionedResource<?>> equal = new LinkedHashMap<>(m);
        CompleteAnswers.Answer first = answers.answer(m, List.of("a", "b"));
        CompleteAnswers.Answer second = answers.answer(equal, List.of("a", "b"));
        assertThat(second).isNotSameAs(first).isNotEqualTo(first);

        Map<String, VersionedResource<?>> next = map("a", "b");
        next.put(
                "b",
                VersionedResource.create(
                        cla("b").toBuilder()
                                .setClusterName("b")
                                .addEndpoints(io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints.newBuilder()
                                        .setPriority(1))
                                .build(),
                        "v2"));
        CompleteAnswers.Answer third = answers.answer(next, List.of("a", "b"));
        assertThat(third.get(1)).isSameAs(next.get("b").resource());
    }

    @Test
    void packedOnceAndKeptWithTheAnswer() {
        CompleteAnswers.Answer a = new CompleteAnswers().answer(map("a", "b"), List.of("a", "b"));
        AtomicInteger packs = new AtomicInteger();
        java.util.function.Function<List<Message>, List<Any>> pack = list -> {
            packs.incrementAndGet();
            return list.stream().map(Any::pack).toList();
        };
        List<Any> packed = a.packed(pack);
        assertThat(a.packed(pack)).isSameAs(packed);
        assertThat(packs).hasValue(1);
        assertThat(packed).containsExactly(Any.pack(cla("a")), Any.pack(cla("b")));
    }

    /** More distinct questions than it remembers: old ones are recomputed correctly. */
    @Test
    void forgottenAnswersAreRecomputed() {
        CompleteAnswers answers = new CompleteAnswers();
        Map<String, VersionedResource<?>> m = map("a", "b", "c");
        CompleteAnswers.Answer first = answers.answer(m, List.of("a"));
        for (int i = 0; i < 200; i++) answers.answer(map("x" + i), List.of("x" + i));
        CompleteAnswers.Answer again = answers.answer(m, List.of("a"));
        assertThat(again).containsExactly(m.get("a").resource());
        assertThat(again.missing).isFalse();
        assertThat(again.names).isEqualTo(first.names);
    }
}
