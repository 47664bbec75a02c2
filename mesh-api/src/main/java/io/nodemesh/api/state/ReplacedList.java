package io.nodemesh.api.state;

import java.lang.ref.WeakReference;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.TreeSet;

/**
 * An immutable list made from another by replacing some elements in place, which remembers the positions it replaced.
 * Whoever still holds the earlier list (a backend, its last applied state) can then find what changed without
 * comparing every element: {@link #replacedSince}. The earlier list is held weakly, so a chain of versions never
 * keeps old versions alive; once it is collected the positions are simply unknown and callers compare as before.
 */
final class ReplacedList<T> extends AbstractList<T> implements RandomAccess {
    /** Versions followed back before giving up: a caller normally asks about the version just before. */
    private static final int MAX_HOPS = 16;

    private final Object[] elements;
    private final WeakReference<List<T>> parent;
    /** Sorted positions whose element may differ from the parent's; every other one is the very same object. */
    private final int[] replaced;

    private ReplacedList(Object[] elements, List<T> parent, int[] replaced) {
        this.elements = elements;
        this.parent = new WeakReference<>(parent);
        this.replaced = replaced;
    }

    /**
     * {@code base} with the element at each of {@code positions} (sorted, distinct) replaced by {@code change} applied
     * to it; no element may be null.
     */
    static <T> List<T> replacing(List<T> base, int[] positions, java.util.function.UnaryOperator<T> change) {
        Object[] elements = base.toArray();
        for (int i : positions) elements[i] = Objects.requireNonNull(change.apply(base.get(i)), "replacement");
        return new ReplacedList<>(elements, base, positions.clone());
    }

    /**
     * The positions at which {@code later} may differ from {@code earlier} (sorted), when {@code later} was made from
     * {@code earlier} by replacing elements, directly or through a few versions; null when that is not known.
     */
    static int[] replacedSince(List<?> earlier, List<?> later) {
        if (earlier == later) return new int[0];
        TreeSet<Integer> positions = null;
        Object at = later;
        for (int hop = 0; hop < MAX_HOPS && at instanceof ReplacedList<?> r; hop++) {
            if (r.replaced.length == 1 && positions == null && r.parent.get() == earlier) return r.replaced.clone();
            if (positions == null) positions = new TreeSet<>();
            for (int i : r.replaced) positions.add(i);
            at = r.parent.get();
            if (at == earlier)
                return positions.stream().mapToInt(Integer::intValue).toArray();
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get(int index) {
        return (T) elements[index];
    }

    @Override
    public int size() {
        return elements.length;
    }

    @Override
    public Object[] toArray() {
        return Arrays.copyOf(elements, elements.length);
    }

    @Override
    public boolean equals(Object o) {
        if (o == this) return true;
        if (o instanceof List<?> other && other.size() == elements.length) {
            // Versions of one list: only the replaced positions can differ, the rest are the very same objects.
            int[] changed = replacedSince(other, this);
            if (changed == null && other instanceof ReplacedList<?>) changed = replacedSince(this, other);
            if (changed != null) {
                for (int i : changed) if (!elements[i].equals(other.get(i))) return false;
                return true;
            }
        }
        return super.equals(o);
    }

    @Override
    public int hashCode() {
        return super.hashCode();
    }
}
