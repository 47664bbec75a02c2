package io.nodemesh.wireguard.internal;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.netlab.Netns;
import io.nodemesh.wireguard.WireguardSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Routes to remote pod CIDRs through the tunnel, at the configured metric so they win over underlay routes. */
final class TunnelRoutes {
    private final Netns host;
    private final WireguardSettings settings;

    TunnelRoutes(Netns host, WireguardSettings settings) {
        this.host = host;
        this.settings = settings;
    }

    void add(String cidr) {
        List<String> args = new ArrayList<>(List.of(
                "route", "replace", cidr, "dev", settings.iface(), "metric", Integer.toString(settings.routeMetric())));
        source(cidr).ifPresent(src -> args.addAll(List.of("src", src)));
        host.ipChecked(args.toArray(String[]::new));
    }

    /** Removes the route; one that is already gone is fine. */
    void remove(String cidr) {
        var r = host.ip(
                "route", "del", cidr, "dev", settings.iface(), "metric", Integer.toString(settings.routeMetric()));
        if (!r.ok() && !r.stderr().contains("No such process")) r.orThrow();
    }

    /** The interface address as source for host-originated traffic, when it is of the route's family. */
    private Optional<String> source(String cidr) {
        return settings.address()
                .map(a -> a.substring(0, a.indexOf('/')))
                .filter(a -> IpAddresses.isV6(a) == IpAddresses.isV6(cidr.substring(0, cidr.indexOf('/'))));
    }
}
