package io.nodemesh.wireguard.internal;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.netlab.CommandResult;
import io.nodemesh.netlab.Commands;
import io.nodemesh.netlab.Netns;

import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Strict mode as an nftables table in the node's namespace: traffic to a remote pod CIDR that would leave through any
 * interface but the tunnel is dropped, in the output hook (host processes) and the forward hook (pods).
 * <p>
 * Why nftables and not eBPF: the decision needs only the destination and the routing decision's output interface,
 * which an output/forward rule sees directly; it works whether or not the eBPF backend is loaded, survives an agent
 * restart, and is inspectable with {@code nft list ruleset}. The set is keyed by CIDRs, not peers, so a CIDR whose
 * peer is missing or broken is dropped rather than routed in clear: fail closed.
 * <p>
 * Every update rebuilds the whole table in one {@code nft -f} transaction, so there is never a moment with no rule.
 */
final class StrictModeFirewall {
    static final String TABLE = "nodemesh_wireguard";
    private static final Pattern COUNTER = Pattern.compile("counter packets (\\d+) bytes \\d+ drop");

    private final Netns host;
    private final String tunnel;

    StrictModeFirewall(Netns host, String tunnel) {
        this.host = host;
        this.tunnel = tunnel;
    }

    /** Installs or replaces the table: drop traffic to {@code guarded} that does not use the tunnel, except to {@code local}. */
    void apply(Collection<String> guarded, Collection<String> local) {
        nft(script(guarded, local, tunnel)).orThrow();
    }

    static String script(Collection<String> guarded, Collection<String> local, String tunnel) {
        StringBuilder sb = new StringBuilder();
        sb.append("add table inet ").append(TABLE).append('\n');
        sb.append("delete table inet ").append(TABLE).append('\n');
        sb.append("table inet ").append(TABLE).append(" {\n");
        set(sb, "remote4", "ipv4_addr", filter(guarded, false));
        set(sb, "remote6", "ipv6_addr", filter(guarded, true));
        set(sb, "local4", "ipv4_addr", filter(local, false));
        set(sb, "local6", "ipv6_addr", filter(local, true));
        for (String hook : List.of("output", "forward")) {
            sb.append("  chain ").append(hook).append(" {\n")
              .append("    type filter hook ").append(hook).append(" priority 0; policy accept;\n")
              .append("    ip daddr @local4 accept\n")
              .append("    ip6 daddr @local6 accept\n")
              .append("    ip daddr @remote4 oifname != \"").append(tunnel).append("\" counter drop\n")
              .append("    ip6 daddr @remote6 oifname != \"").append(tunnel).append("\" counter drop\n")
              .append("  }\n");
        }
        return sb.append("}\n").toString();
    }

    /** Removes the table; traffic is then routed by the routes alone. */
    void remove() {
        nft("add table inet " + TABLE + "\ndelete table inet " + TABLE + "\n");
    }

    /** Packets dropped since the table was last rebuilt. */
    long droppedPackets() {
        var r = host.exec("nft", "list", "table", "inet", TABLE);
        if (!r.ok()) return 0;
        long total = 0;
        Matcher m = COUNTER.matcher(r.stdout());
        while (m.find()) total += Long.parseLong(m.group(1));
        return total;
    }

    /** {@code nft -f -} with {@code script} as one transaction: all of it applies or none. */
    private CommandResult nft(String script) {
        return host.exec(Commands.DEFAULT_TIMEOUT, script, List.of("nft", "-f", "-"));
    }

    private static List<String> filter(Collection<String> cidrs, boolean v6) {
        return cidrs.stream().filter(c -> IpAddresses.parseCidr(c).map(x -> x.network().getAddress().length == 16).orElse(false) == v6)
                .sorted().distinct().toList();
    }

    private static void set(StringBuilder sb, String name, String type, List<String> elements) {
        sb.append("  set ").append(name).append(" { type ").append(type).append("; flags interval; auto-merge;");
        if (!elements.isEmpty()) sb.append(" elements = { ").append(elements.stream().collect(Collectors.joining(", "))).append(" };");
        sb.append(" }\n");
    }
}
