package io.nodemesh.api.lb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class MaglevTest {
    private static List<String> backends(int n) {
        return IntStream.range(0, n).mapToObj(i -> "10.244.0." + (i + 10)).toList();
    }

    @Test
    void fnvMatchesThePublishedTestVectors() {
        // From the FNV reference test suite: FNV-1a 64 of "" and "a".
        assertThat(Maglev.fnv1a64("", Maglev.FNV64_BASIS)).isEqualTo(0xcbf29ce484222325L);
        assertThat(Maglev.fnv1a64("a", Maglev.FNV64_BASIS)).isEqualTo(0xaf63dc4c8601ec8cL);
        assertThat(Maglev.fnv1a64("foobar", Maglev.FNV64_BASIS)).isEqualTo(0x85944171f73967e8L);
    }

    @Test
    void tableIsPinnedSoTheKernelAndTheSimulatorAgreeAcrossReleases() {
        // A change here moves live connections on upgrade: only change the hash on purpose, with a release note.
        int[] t = Maglev.table(List.of("a", "b", "c"), 13);
        assertThat(t).hasSize(13);
        assertThat(t).containsExactly(1, 0, 1, 0, 1, 0, 0, 1, 2, 2, 2, 0, 2);
    }

    @Property(tries = 50)
    void everyBackendOwnsWithinOneEntryOfAnEvenShare(@ForAll @IntRange(min = 1, max = 60) int n) {
        int m = 1_009;
        int[] table = Maglev.table(backends(n), m);
        int[] counts = new int[n];
        for (int e : table) counts[e]++;
        int min = Arrays.stream(counts).min().orElseThrow();
        int max = Arrays.stream(counts).max().orElseThrow();
        assertThat(max - min).isLessThanOrEqualTo(1);
        assertThat(min).isEqualTo(m / n);
    }

    @Test
    void removingOneOfTenBackendsMovesLittleMoreThanItsOwnShare() {
        List<String> all = backends(10);
        int[] before = Maglev.table(all);
        List<String> fewer = new ArrayList<>(all);
        String removed = fewer.remove(4);
        int[] after = Maglev.table(fewer);
        int moved = 0;
        int ownedByRemoved = 0;
        for (int slot = 0; slot < before.length; slot++) {
            String was = all.get(before[slot]);
            String now = fewer.get(after[slot]);
            if (was.equals(removed)) ownedByRemoved++;
            else if (!was.equals(now)) moved++;
        }
        // The removed backend's ~1/10 must move; Maglev promises the others barely do (the paper measures a few %).
        assertThat(ownedByRemoved).isBetween(before.length / 10 - 1, before.length / 10 + 1);
        assertThat((double) moved / before.length).isLessThan(0.03);
    }

    @Test
    void clientsSpreadEvenlyOverTheBackends() {
        int[] table = Maglev.table(backends(3));
        byte[] vip = SocketLbKey.address("10.96.0.10");
        int[] counts = new int[3];
        for (int i = 0; i < 3000; i++) {
            byte[] client = SocketLbKey.address("10.244." + (i / 250) + "." + (i % 250 + 1));
            counts[table[Maglev.index(SocketLbKey.hash(client, vip, 80), table.length)]]++;
        }
        // Binomial(3000, 1/3) has sd ≈ 26; 200 below the mean is ~8 sd, impossible for an even hash.
        assertThat(Arrays.stream(counts).boxed().toList())
                .allSatisfy(c -> assertThat(c).isBetween(800, 1200));
    }

    @Test
    void canonicalTableDoesNotDependOnTheOrder() {
        List<String> names = backends(5);
        List<String> reversed = new java.util.ArrayList<>(names);
        java.util.Collections.reverse(reversed);
        int[] a = Maglev.canonicalTable(names, 1021);
        int[] b = Maglev.canonicalTable(reversed, 1021);
        for (int k = 0; k < a.length; k++) assertThat(names.get(a[k])).isEqualTo(reversed.get(b[k]));
        int[] sorted = Maglev.table(names.stream().sorted().toList(), 1021);
        for (int k = 0; k < a.length; k++)
            assertThat(names.get(a[k]))
                    .isEqualTo(names.stream().sorted().toList().get(sorted[k]));
    }

    @Test
    void emptyBackendsGiveNoBackendEverywhere() {
        assertThat(Maglev.table(List.of(), 7)).containsOnly(Maglev.NO_BACKEND);
    }

    @Test
    void rejectsBadInputWithTheReason() {
        assertThatThrownBy(() -> Maglev.table(List.of("a"), 100)).hasMessageContaining("100 is not a prime");
        assertThatThrownBy(() -> Maglev.table(List.of("a", "a"), 7)).hasMessageContaining("'a' appears twice");
        assertThatThrownBy(() -> Maglev.table(backends(8), 7)).hasMessageContaining("smaller than the 8 backends");
    }

    @Test
    void primality() {
        assertThat(IntStream.rangeClosed(0, 30).filter(Maglev::isPrime).boxed().toList())
                .containsExactly(2, 3, 5, 7, 11, 13, 17, 19, 23, 29);
        assertThat(Maglev.isPrime(Maglev.DEFAULT_TABLE_SIZE)).isTrue();
        assertThat(Maglev.isPrime(65_537)).isTrue();
    }
}
