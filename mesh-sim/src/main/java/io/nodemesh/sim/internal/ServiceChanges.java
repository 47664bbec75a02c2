package io.nodemesh.sim.internal;

import io.nodemesh.api.state.Service;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * Which services of the next state are new objects and which objects of the previous state are gone, by identity: a
 * feed that keeps unchanged services as the same objects makes a small change cost only what it touches. An updated
 * service shows as its old object removed and its new object added. {@code inPlace}: every service kept its position,
 * and {@code removed.get(i)} is what {@code added.get(i)} replaced.
 */
record ServiceChanges(List<Service> removed, List<Service> added, Set<Service> addedSet, boolean inPlace) {

    static ServiceChanges between(List<Service> before, List<Service> after) {
        List<Service> removed = new ArrayList<>();
        List<Service> added = new ArrayList<>();
        if (before.size() == after.size()) {
            // The usual case: the same order, a few replaced in place. One walk, no sets over ten thousand services.
            for (int i = 0; i < after.size(); i++) {
                Service old = before.get(i);
                Service now = after.get(i);
                if (old != now) {
                    removed.add(old);
                    added.add(now);
                }
            }
            if (added.size() <= 1 || sameObjects(removed, added)) return of(removed, added, true);
            removed.clear();
            added.clear();
        }
        Set<Service> previous = identitySet(before);
        Set<Service> next = identitySet(after);
        for (Service s : before) if (!next.contains(s)) removed.add(s);
        for (Service s : after) if (!previous.contains(s)) added.add(s);
        return of(removed, added, false);
    }

    /** Whether {@code s} (of the next state) was taken over from the previous state as the same object. */
    boolean kept(Service s) {
        return !addedSet.contains(s);
    }

    /** True when the shifted positions hold no object in common (a reorder would move an object, not replace it). */
    private static boolean sameObjects(List<Service> removed, List<Service> added) {
        Set<Service> gone = identitySet(removed);
        for (Service s : added) if (gone.contains(s)) return false;
        return true;
    }

    private static ServiceChanges of(List<Service> removed, List<Service> added, boolean inPlace) {
        return new ServiceChanges(removed, added, identitySet(added), inPlace);
    }

    private static Set<Service> identitySet(List<Service> services) {
        Set<Service> set = Collections.newSetFromMap(new IdentityHashMap<>(services.size() * 2));
        set.addAll(services);
        return set;
    }
}
