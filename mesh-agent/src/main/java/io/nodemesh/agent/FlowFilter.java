package io.nodemesh.agent;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Which flow events {@code nodemesh flows} shows, like {@code hubble observe}'s filters. A peer matches by IP address,
 * by workload ({@code ns/name}, or {@code name} in any namespace) or by identity; every filter given must match.
 *
 * @param from    the source, or null for any
 * @param to      the destination or the backend chosen, or null for any
 * @param service {@code ns/name} of the service, or null for any
 * @param verdict null for any
 * @param path    null for any
 */
record FlowFilter(String from, String to, String service, Verdict verdict, FlowPath path)
        implements Predicate<FlowEvent> {
    static final FlowFilter ANY = new FlowFilter(null, null, null, null, null);

    /** Parses the verdict and path flags; the message lists the values allowed. */
    static FlowFilter of(String from, String to, String service, String verdict, String path) {
        return new FlowFilter(
                from, to, service, parse(Verdict.class, "--verdict", verdict), parse(FlowPath.class, "--path", path));
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String flag, String text) {
        if (text == null) return null;
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(flag + " '" + text + "' is not one of "
                    + Arrays.stream(type.getEnumConstants())
                            .map(c -> c.name().toLowerCase(Locale.ROOT))
                            .toList());
        }
    }

    @Override
    public boolean test(FlowEvent e) {
        return (from == null || matches(e.source(), from))
                && (to == null || matches(e.destination(), to) || matches(e.backend(), to))
                && (service == null || service.equals(e.service()))
                && (verdict == null || verdict == e.verdict())
                && (path == null || path == e.path());
    }

    private static boolean matches(FlowPeer peer, String wanted) {
        if (peer == null) return false;
        String workload = peer.workload();
        return wanted.equals(peer.ip())
                || wanted.equals(workload)
                || (!wanted.contains("/") && workload.endsWith("/" + wanted))
                || (!peer.identity().isEmpty() && wanted.equals(peer.identity()));
    }
}
