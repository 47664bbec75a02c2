package io.nodemesh.ebpf.internal.plan;

import java.util.List;

/** List equality that compares references first: an unchanged list in a new state holds the very same records. */
final class SameElements {
    private SameElements() {}

    static <T> boolean of(List<T> a, List<T> b) {
        if (a == b) return true;
        if (a.size() != b.size()) return false;
        for (int i = 0; i < a.size(); i++) {
            T x = a.get(i), y = b.get(i);
            if (x != y && !x.equals(y)) return false;
        }
        return true;
    }
}
