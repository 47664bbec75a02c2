package io.nodemesh.envoy.internal.xds;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.collect.ImmutableSet;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** What a state-of-the-world client holds: sent and still asked for; forgotten when not asked; sent again when re-asked. */
class SotwCoverageTest {
    private static final String EDS = "type.googleapis.com/envoy.config.endpoint.v3.ClusterLoadAssignment";
    private static final String RDS = "type.googleapis.com/envoy.config.route.v3.RouteConfiguration";

    private static ClusterLoadAssignment cla(String name) {
        return ClusterLoadAssignment.newBuilder().setClusterName(name).build();
    }

    private static List<Message> clas(String... names) {
        List<Message> out = new ArrayList<>();
        for (String n : names) out.add(cla(n));
        return out;
    }

    /** Fresh string objects, equal to {@code names}: a client's next request parsed anew. */
    private static List<String> copies(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) out.add(new String(n.toCharArray()));
        return out;
    }

    @Test
    void aNameIsHeldOnceSentAndWhileAsked() {
        SotwCoverage c = new SotwCoverage(new SotwCoverage.Interner());
        List<String> abc = List.of("a", "b", "c");
        assertThat(c.asked(EDS, abc)).isEmpty();
        c.sent(EDS, clas("a"));
        assertThat(c.asked(EDS, abc)).containsExactlyInAnyOrder("a");
        c.sent(EDS, clas("b", "c"));
        assertThat(c.asked(EDS, copies(abc))).isEqualTo(Set.of("a", "b", "c"));
        // types are separate
        assertThat(c.asked(RDS, abc)).isEmpty();
        assertThat(c.asked(EDS, abc)).hasSize(3);
    }

    @Test
    void aNameNoLongerAskedIsDroppedAndMustBeSentAgainWhenAskedAgain() {
        SotwCoverage c = new SotwCoverage(new SotwCoverage.Interner());
        c.asked(EDS, List.of("a", "b", "c"));
        c.sent(EDS, clas("a", "b", "c"));
        assertThat(c.asked(EDS, List.of("a", "b"))).isEqualTo(Set.of("a", "b"));
        assertThat(c.asked(EDS, List.of("a", "b", "c"))).isEqualTo(Set.of("a", "b"));
        c.sent(EDS, clas("c"));
        assertThat(c.asked(EDS, List.of("a", "b", "c"))).isEqualTo(Set.of("a", "b", "c"));
        assertThat(c.asked(EDS, List.of())).isEmpty();
        assertThat(c.asked(EDS, List.of("c"))).isEmpty();
    }

    @Test
    void resourcesNotAskedForAreNotHeld() {
        SotwCoverage c = new SotwCoverage(new SotwCoverage.Interner());
        c.sent(EDS, clas("a")); // before any request: nothing to cover
        assertThat(c.asked(EDS, List.of("a", "b"))).isEmpty();
        c.sent(EDS, clas("x", "y", "a"));
        assertThat(c.asked(EDS, List.of("a", "b"))).isEqualTo(Set.of("a"));
        // a response to an older, wider request arriving after the client narrowed its subscription
        c.asked(EDS, List.of("b"));
        c.sent(EDS, clas("a"));
        assertThat(c.asked(EDS, List.of("a", "b"))).isEmpty();
    }

    @Test
    void heldNamesAreTheClientsOwnStrings() {
        SotwCoverage c = new SotwCoverage(new SotwCoverage.Interner());
        List<String> mine = copies(List.of("a", "b"));
        c.asked(EDS, mine);
        c.sent(EDS, clas("a"));
        Set<String> held = c.asked(EDS, mine);
        assertThat(held).hasSize(1);
        assertThat(held.iterator().next()).isSameAs(mine.get(0));
    }

    @Test
    void duplicatesInTheAskedList() {
        SotwCoverage c = new SotwCoverage(new SotwCoverage.Interner());
        List<String> asked = List.of("a", "b", "a", "c", "b");
        assertThat(c.asked(EDS, asked)).isEmpty();
        c.sent(EDS, clas("a", "b"));
        assertThat(c.asked(EDS, asked)).isEqualTo(Set.of("a", "b"));
        c.sent(EDS, clas("c"));
        Set<String> all = c.asked(EDS, asked);
        assertThat(all).hasSize(3).isEqualTo(Set.of("a", "b", "c")).isEqualTo(ImmutableSet.copyOf(asked));
        assertThat(ImmutableSet.copyOf(asked)).isEqualTo(all);
        assertThat(all.hashCode()).isEqualTo(Set.of("a", "b", "c").hashCode());
        // dropping the duplicates keeps everything held
        assertThat(c.asked(EDS, List.of("a", "b", "c"))).isEqualTo(Set.of("a", "b", "c"));
    }

    /** A complete answer for exactly the asked names covers them all at once; one with a name missing only what it carries. */
    @Test
    void completeAnswersCoverWhatTheyCarry() {
        Map<String, VersionedResource<?>> map = new LinkedHashMap<>();
        for (String n : List.of("a", "b", "c")) map.put(n, VersionedResource.create(cla(n), "1"));
        CompleteAnswers answers = new CompleteAnswers();

        SotwCoverage full = new SotwCoverage(new SotwCoverage.Interner());
        List<String> abc = List.of("a", "b", "c");
        full.asked(EDS, abc);
        full.sent(EDS, answers.answer(map, abc));
        assertThat(full.asked(EDS, abc)).isEqualTo(Set.of("a", "b", "c"));

        SotwCoverage partial = new SotwCoverage(new SotwCoverage.Interner());
        List<String> abz = List.of("a", "b", "z");
        partial.asked(EDS, abz);
        CompleteAnswers.Answer missing = answers.answer(map, abz);
        assertThat(missing.missing).isTrue();
        partial.sent(EDS, missing);
        assertThat(partial.asked(EDS, abz)).isEqualTo(Set.of("a", "b"));

        SotwCoverage other = new SotwCoverage(new SotwCoverage.Interner());
        other.asked(EDS, List.of("a", "b", "c", "d"));
        other.sent(EDS, answers.answer(map, abc)); // an answer to other names (an older request)
        assertThat(other.asked(EDS, List.of("a", "b", "c", "d"))).isEqualTo(Set.of("a", "b", "c"));
    }

    @Test
    void askedNamesEqualsOtherSetsByContent() {
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) names.add("cluster-" + i);
        Set<String> asked = new SotwCoverage.Interner().of(names);
        assertThat(asked.equals(ImmutableSet.copyOf(names))).isTrue();
        assertThat(asked.equals(ImmutableSet.copyOf(copies(names)))).isTrue();
        assertThat(asked.equals(new HashSet<>(names))).isTrue();
        assertThat(asked.equals(new TreeSet<>(copies(names)))).isTrue();
        assertThat(new HashSet<>(names).equals(asked)).isTrue();
        assertThat(ImmutableSet.copyOf(names).equals(asked)).isTrue();
        assertThat(asked.hashCode()).isEqualTo(new HashSet<>(names).hashCode());
        assertThat(asked).hasSize(1000).contains("cluster-999").doesNotContain("cluster-1000");

        List<String> otherNames = new ArrayList<>(names);
        otherNames.set(500, "something-else");
        assertThat(asked.equals(ImmutableSet.copyOf(otherNames))).isFalse();
        assertThat(asked.equals(new HashSet<>(otherNames))).isFalse();
        List<String> lastDiffers = new ArrayList<>(names);
        lastDiffers.set(999, "last");
        assertThat(asked.equals(ImmutableSet.copyOf(lastDiffers))).isFalse();
        assertThat(asked.equals(ImmutableSet.copyOf(names.subList(0, 999)))).isFalse();
        assertThat(asked.equals(names)).isFalse(); // a list is never equal to a set

        // the same objects in another order are still the same set
        List<String> reversed = new ArrayList<>(names.reversed());
        assertThat(asked.equals(ImmutableSet.copyOf(reversed))).isTrue();
    }

    @Test
    void coveragesAskingEqualNamesShareOneSet() {
        SotwCoverage.Interner interner = new SotwCoverage.Interner();
        List<String> names = List.of("a", "b", "c");
        assertThat(interner.of(names)).isSameAs(interner.of(copies(names)));
        assertThat(interner.of(names)).isNotSameAs(interner.of(List.of("a", "b")));

        SotwCoverage one = new SotwCoverage(interner);
        SotwCoverage two = new SotwCoverage(interner);
        one.asked(EDS, names);
        two.asked(EDS, copies(names));
        one.sent(EDS, clas("a", "b", "c"));
        two.sent(EDS, clas("c", "b", "a"));
        Set<String> first = one.asked(EDS, names);
        assertThat(first).isSameAs(two.asked(EDS, copies(names))).isEqualTo(Set.of("a", "b", "c"));

        // an interner of another server shares nothing
        SotwCoverage elsewhere = new SotwCoverage(new SotwCoverage.Interner());
        elsewhere.asked(EDS, names);
        elsewhere.sent(EDS, clas("a", "b", "c"));
        assertThat(elsewhere.asked(EDS, names)).isNotSameAs(first).isEqualTo(first);
    }
}
