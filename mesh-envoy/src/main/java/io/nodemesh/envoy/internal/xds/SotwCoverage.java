package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per state-of-the-world stream and resource type: the names whose current content the client holds. It lets
 * {@link MeshCache} send an EDS or RDS change as just the changed resources (the xDS protocol allows that for every
 * type but listeners and clusters: a resource left out of such a response is unchanged, not removed).
 * <p>
 * A name is covered once any response carried it; it stops being covered when the client stops asking for it (it may
 * drop the resource then, so asking again must send it again).
 * <p>
 * Sets hold the client's own name strings (shared between requests by {@link SharedNamesMarshaller}), so the cache's
 * comparison of what a client holds with what it asks for finds each name by identity. Once a client holds everything
 * it asks for, which is the usual state, an ACK costs a comparison of lists and responses cost nothing here.
 */
final class SotwCoverage {
    private final Map<String, Asked> byType = new ConcurrentHashMap<>();
    private final Interner interner;

    /** {@code interner}: shared by the streams of one server, so clients asking for the same names share one set. */
    SotwCoverage(Interner interner) {
        this.interner = interner;
    }

    /** What the client asks for of one type, and which of those names it holds. */
    private static final class Asked {
        final AskedNames all;
        /** The held names; {@link #all} itself once every asked name is held. */
        Set<String> held;

        Asked(AskedNames all, Set<String> heldBefore) {
            this.all = all;
            Set<String> held = new HashSet<>();
            for (String n : heldBefore) {
                String mine = all.canonical.get(n);
                if (mine != null) held.add(mine);
            }
            this.held = held.size() == all.size() ? all : held;
        }

        boolean holdsAll() {
            return held == all;
        }
    }

    /**
     * The sets of asked names in use, by content: 100 clients asking for the same 10,000 names share one set instead of
     * building one each.
     */
    static final class Interner {
        private static final int REMEMBERED = 64;
        private final Map<List<String>, AskedNames> sets = new Recent<>(REMEMBERED);

        synchronized AskedNames of(List<String> names) {
            return sets.computeIfAbsent(List.copyOf(names), AskedNames::new);
        }
    }

    /**
     * Every asked name, as a set that recognizes itself quickly: java-control-plane compares it with a set made from the
     * request's names on every ACK, and that set lists the same string objects in the same order, which a walk of
     * references confirms without a hash lookup per name.
     */
    private static final class AskedNames extends AbstractSet<String> {
        private final List<String> names;
        /** Each asked name to itself: a response's name maps to the client's string. */
        private final Map<String, String> canonical;

        AskedNames(List<String> names) {
            this.names = names;
            this.canonical = new HashMap<>(names.size() * 2);
            for (String n : names) canonical.put(n, n);
        }

        @Override
        public boolean contains(Object o) {
            return canonical.containsKey(o);
        }

        @Override
        public Iterator<String> iterator() {
            return Collections.unmodifiableSet(canonical.keySet()).iterator();
        }

        @Override
        public int size() {
            return canonical.size();
        }

        @Override
        public boolean equals(Object o) {
            if (o == this) return true;
            if (!(o instanceof Set<?> other) || other.size() != size()) return false;
            if (names.size() == size()) {
                Iterator<?> theirs = other.iterator();
                boolean same = true;
                for (int i = 0; same && i < names.size(); i++) same = theirs.next() == names.get(i);
                if (same) return true;
            }
            return super.equals(o);
        }

        @Override
        public int hashCode() {
            return super.hashCode();
        }
    }

    /**
     * The client asks for {@code names} of {@code typeUrl} now: names it no longer asks for are forgotten. Returns the
     * asked-for names it holds (the caller must not change the set).
     */
    synchronized Set<String> asked(String typeUrl, List<String> names) {
        Asked before = byType.get(typeUrl);
        // The same names as last time (an ACK): what it holds is unchanged, since responses carry only asked-for names.
        if (before != null && before.all.names.equals(names)) return view(before);
        Asked now = new Asked(interner.of(names), before == null ? Set.of() : before.held);
        byType.put(typeUrl, now);
        return view(now);
    }

    /** What it holds, as a set nobody changes: the cache reads it on the request's thread while responses go out. */
    private static Set<String> view(Asked a) {
        return a.holdsAll() ? a.all : Set.copyOf(a.held);
    }

    /**
     * A response carried {@code resources}. Only names the client still asks for count: a response to an older request
     * may still be on its way after the client narrowed its subscription.
     */
    synchronized void sent(String typeUrl, Collection<? extends Message> resources) {
        Asked a = byType.get(typeUrl);
        if (a == null || a.holdsAll()) return;
        if (resources instanceof CompleteAnswers.Answer answer && !answer.missing && answer.names.equals(a.all.names)) {
            a.held = a.all; // everything it asks for, without looking up each name
            return;
        }
        for (Message m : resources) {
            String mine = a.all.canonical.get(Resources.getResourceName(m));
            if (mine != null) a.held.add(mine);
        }
        if (a.held.size() == a.all.size()) a.held = a.all;
    }
}
