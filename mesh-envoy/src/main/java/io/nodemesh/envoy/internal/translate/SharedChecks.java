package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Message;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Name uniqueness and the schema check of the cluster-wide resources, walking only what changed since the last apply
 * that passed.
 * <p>
 * The translator hands back the very same message objects for unchanged services, in the same order, so a small
 * change leaves each list the same length with a few positions replaced. When each replacement keeps the name of the
 * resource it replaces, the names stay unique (they were before) and only the replacements need a schema walk: a
 * comparison of references per position instead of hashing 22,000 names and messages. Anything else (resources added,
 * removed, reordered or renamed) falls back to the full check, which still skips messages equal to ones that passed.
 */
public final class SharedChecks {
    /** The shared resources of the last apply that passed both checks; null before the first. */
    private MeshResources passed;

    /** Violations of {@code now}; {@code schema} adds the schema check to the name check. Does not remember {@code now}. */
    public List<Violation> check(MeshResources now, boolean schema) {
        List<Violation> out = new ArrayList<>();
        Set<Message> known = null; // built only if some list needs the full check
        Set<Message> clean = ProtoSchemaCheck.identitySet(); // sub-messages walked without a violation
        for (Kind<?> k : KINDS) {
            List<? extends Message> before = passed == null ? null : k.list(passed);
            List<? extends Message> after = k.list(now);
            List<Integer> replaced = before == null ? null : replacedKeepingNames(k, before, after);
            if (replaced != null) {
                if (schema) for (int i : replaced) k.schema(after.get(i), out, clean);
                continue;
            }
            k.unique(after, out);
            if (!schema) continue;
            if (known == null) known = knownGood();
            List<Message> unchecked = new ArrayList<>();
            for (Message m : after) if (!known.contains(m)) unchecked.add(m);
            out.addAll(k.schema(unchecked));
        }
        return out;
    }

    /** Remembers {@code now} as checked: call once the whole apply passed. */
    public void passed(MeshResources now) {
        passed = now;
    }

    /** Positions whose object differs but whose name is the same; null if the lists differ in length or a name moved. */
    private static List<Integer> replacedKeepingNames(
            Kind<?> k, List<? extends Message> before, List<? extends Message> after) {
        if (before.size() != after.size()) return null;
        List<Integer> replaced = new ArrayList<>();
        for (int i = 0; i < after.size(); i++) {
            Message a = after.get(i);
            Message b = before.get(i);
            if (a == b) continue;
            if (!k.nameOf(a).equals(k.nameOf(b))) return null;
            replaced.add(i);
        }
        return replaced;
    }

    private Set<Message> knownGood() {
        Set<Message> known = new HashSet<>();
        if (passed != null) for (Kind<?> k : KINDS) known.addAll(k.list(passed));
        return known;
    }

    /** One resource type: how to reach its list and its name. */
    private record Kind<T extends Message>(
            String label, Function<MeshResources, List<T>> lists, Function<T, String> names) {
        List<? extends Message> list(MeshResources r) {
            return lists.apply(r);
        }

        @SuppressWarnings("unchecked")
        String nameOf(Message m) {
            return names.apply((T) m);
        }

        void schema(Message m, List<Violation> out, Set<Message> clean) {
            out.addAll(ProtoSchemaCheck.check(label + "[" + nameOf(m) + "]", m, clean));
        }

        /**
         * The violations of every message of {@code all}, in order. A first apply checks 22,000 resources, half of its
         * time; they are independent, so they are checked in slices on every core.
         */
        List<Violation> schema(List<Message> all) {
            int slices = all.size() < 2 * SLICE ? 1 : (all.size() + SLICE - 1) / SLICE;
            return java.util.stream.IntStream.range(0, slices)
                    .parallel()
                    .mapToObj(i -> {
                        List<Violation> out = new ArrayList<>();
                        Set<Message> clean = ProtoSchemaCheck.identitySet();
                        for (Message m : all.subList(i * all.size() / slices, (i + 1) * all.size() / slices))
                            schema(m, out, clean);
                        return out;
                    })
                    .flatMap(List::stream)
                    .toList();
        }

        void unique(List<? extends Message> items, List<Violation> out) {
            Set<String> seen = new HashSet<>();
            for (Message m : items) {
                String n = nameOf(m);
                if (!seen.add(n))
                    out.add(new Violation(
                            label + "[" + n + "]", "duplicate " + label + " name once translated to Envoy"));
            }
        }
    }

    /** Resources per slice of a parallel schema check: large enough that a slice's overhead does not matter. */
    private static final int SLICE = 1000;

    private static final List<Kind<?>> KINDS = List.of(
            new Kind<>("listeners", MeshResources::listeners, io.envoyproxy.envoy.config.listener.v3.Listener::getName),
            new Kind<>("clusters", MeshResources::clusters, io.envoyproxy.envoy.config.cluster.v3.Cluster::getName),
            new Kind<>(
                    "routes", MeshResources::routes, io.envoyproxy.envoy.config.route.v3.RouteConfiguration::getName),
            new Kind<>(
                    "endpoints",
                    MeshResources::endpoints,
                    io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment::getClusterName),
            new Kind<>(
                    "secrets",
                    MeshResources::secrets,
                    io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret::getName));
}
