package io.nodemesh.netlab;

import java.util.ArrayList;
import java.util.List;

/**
 * Routes through a gateway, of either family: an IPv6 gateway makes an {@code ip -6} route (which {@code default}
 * needs, as {@code ip route add default} alone means IPv4).
 */
public final class Routes {
    private Routes() {}

    /** {@code ip [-6] route add destination via gateway} ({@code destination} may be {@code default}). */
    public static void viaGateway(Netns netns, String destination, String gateway) {
        add(netns, destination, gateway, List.of());
    }

    /** The same with a metric, e.g. a fallback path that a more specific or lower-metric route overrides. */
    public static void viaGateway(Netns netns, String destination, String gateway, int metric) {
        add(netns, destination, gateway, List.of("metric", Integer.toString(metric)));
    }

    /** The argv after {@code ip [-n ns]}: {@code -6} first when the gateway is IPv6. */
    static List<String> args(String destination, String gateway, List<String> extra) {
        List<String> args = new ArrayList<>();
        if (gateway.contains(":")) args.add("-6");
        args.addAll(List.of("route", "add", destination, "via", gateway));
        args.addAll(extra);
        return args;
    }

    private static void add(Netns netns, String destination, String gateway, List<String> extra) {
        netns.ipChecked(args(destination, gateway, extra).toArray(String[]::new));
    }
}
