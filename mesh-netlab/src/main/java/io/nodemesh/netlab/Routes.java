package io.nodemesh.netlab;

import java.util.ArrayList;
import java.util.List;

/** Routes through a gateway. */
public final class Routes {
    private Routes() {}

    /** {@code ip route add destination via gateway} ({@code destination} may be {@code default}). */
    public static void viaGateway(Netns netns, String destination, String gateway) {
        add(netns, destination, gateway, List.of());
    }

    /** The same with a metric, e.g. a fallback path that a more specific or lower-metric route overrides. */
    public static void viaGateway(Netns netns, String destination, String gateway, int metric) {
        add(netns, destination, gateway, List.of("metric", Integer.toString(metric)));
    }

    private static void add(Netns netns, String destination, String gateway, List<String> extra) {
        List<String> args = new ArrayList<>(List.of("route", "add", destination, "via", gateway));
        args.addAll(extra);
        netns.ipChecked(args.toArray(String[]::new));
    }
}
