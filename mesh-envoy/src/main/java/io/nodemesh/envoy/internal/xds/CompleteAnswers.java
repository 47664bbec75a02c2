package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.VersionedResource;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Complete state-of-the-world answers, computed once and shared by every client that asks for the same names of the
 * same resource map. All nodes share their resource maps and most clients ask for the same names, so a first full
 * configuration for 100 clients looks up 10,000 names once instead of 100 times, and the answer is packed into
 * {@code Any}s once ({@link PackedResources}).
 */
final class CompleteAnswers {
    private static final int REMEMBERED = 64;

    private final MapAnswers<List<String>, Answer> answers = new MapAnswers<>(REMEMBERED, List::copyOf);

    /** What {@code names} (all of the type when empty) finds in {@code resources}. */
    Answer answer(Map<String, VersionedResource<?>> resources, List<String> names) {
        return answers.get(resources, names, () -> {
            List<Message> found = new ArrayList<>(names.isEmpty() ? resources.size() : names.size());
            boolean missing = false;
            if (names.isEmpty()) {
                for (VersionedResource<?> r : resources.values()) found.add(r.resource());
            } else {
                for (String n : names) {
                    VersionedResource<?> r = resources.get(n);
                    if (r == null) missing = true;
                    else found.add(r.resource());
                }
            }
            return new Answer(List.copyOf(names), found, missing);
        });
    }

    /**
     * The resources found for {@code names}, in their order; {@code missing} if some name found nothing. Its packed form
     * is kept with it, so every response carrying it reuses the same {@code Any}s.
     */
    static final class Answer extends AbstractList<Message> {
        final List<String> names;
        private final List<Message> resources;
        final boolean missing;
        private volatile List<Any> packed;

        private Answer(List<String> names, List<Message> resources, boolean missing) {
            this.names = names;
            this.resources = resources;
            this.missing = missing;
        }

        @Override
        public Message get(int index) {
            return resources.get(index);
        }

        @Override
        public int size() {
            return resources.size();
        }

        List<Any> packed(Function<List<Message>, List<Any>> pack) {
            List<Any> p = packed;
            if (p == null) packed = p = List.copyOf(pack.apply(resources));
            return p;
        }

        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }
}
