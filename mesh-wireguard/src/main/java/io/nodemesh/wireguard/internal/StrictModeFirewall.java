package io.nodemesh.wireguard.internal;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.netlab.CommandResult;
import io.nodemesh.netlab.Commands;
import io.nodemesh.netlab.Netns;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
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
 * Each guarded CIDR has a named counter (its CIDR as comment) so drops can be reported per destination as flow events.
 */
final class StrictModeFirewall {
    static final String TABLE = "nodemesh_wireguard";
    /** The drop counter of guarded addresses no per-CIDR rule matched (none should reach it; it keeps the chain closed). */
    static final String OTHER = "other";

    private static final Pattern COUNTER = Pattern.compile("\\{\"counter\": \\{([^}]*)}");
    private static final Pattern COMMENT = Pattern.compile("\"comment\": \"([^\"]*)\"");
    private static final Pattern PACKETS = Pattern.compile("\"packets\": (\\d+)");
    private static final Pattern BYTES = Pattern.compile("\"bytes\": (\\d+)");

    /** What strict mode dropped for one guarded CIDR (or {@link #OTHER}) since the table was last rebuilt. */
    record Drops(String cidr, long packets, long bytes) {}

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
        List<String> counted = mostSpecificFirst(guarded);
        for (int i = 0; i < counted.size(); i++) counter(sb, "d" + i, counted.get(i));
        counter(sb, OTHER, OTHER);
        set(sb, "remote4", "ipv4_addr", filter(guarded, false));
        set(sb, "remote6", "ipv6_addr", filter(guarded, true));
        set(sb, "local4", "ipv4_addr", filter(local, false));
        set(sb, "local6", "ipv6_addr", filter(local, true));
        // Only packets that are about to leak get here (the hooks jump after one set lookup), so the linear walk
        // that attributes a drop to its CIDR costs nothing on the normal path.
        sb.append("  chain leak {\n");
        for (int i = 0; i < counted.size(); i++) {
            boolean v6 = isV6(counted.get(i));
            sb.append("    ")
                    .append(v6 ? "ip6" : "ip")
                    .append(" daddr ")
                    .append(counted.get(i))
                    .append(" counter name \"d")
                    .append(i)
                    .append("\" drop\n");
        }
        sb.append("    counter name \"").append(OTHER).append("\" drop\n  }\n");
        for (String hook : List.of("output", "forward")) {
            sb.append("  chain ")
                    .append(hook)
                    .append(" {\n")
                    .append("    type filter hook ")
                    .append(hook)
                    .append(" priority 0; policy accept;\n")
                    .append("    ip daddr @local4 accept\n")
                    .append("    ip6 daddr @local6 accept\n")
                    .append("    ip daddr @remote4 oifname != \"")
                    .append(tunnel)
                    .append("\" jump leak\n")
                    .append("    ip6 daddr @remote6 oifname != \"")
                    .append(tunnel)
                    .append("\" jump leak\n")
                    .append("  }\n");
        }
        return sb.append("}\n").toString();
    }

    /** The table as {@code nft list table} prints it (valid {@code nft -f} input), or empty when there is none. */
    java.util.Optional<String> snapshot() {
        var r = host.exec("nft", "list", "table", "inet", TABLE);
        return r.ok() ? java.util.Optional.of(r.stdout()) : java.util.Optional.empty();
    }

    /** Puts back a table {@link #snapshot()} listed, in one transaction. */
    void restore(String listing) {
        nft("add table inet " + TABLE + "\ndelete table inet " + TABLE + "\n" + listing)
                .orThrow();
    }

    /** Removes the table; traffic is then routed by the routes alone. */
    void remove() {
        nft("add table inet " + TABLE + "\ndelete table inet " + TABLE + "\n");
    }

    /** Packets dropped since the table was last rebuilt. */
    long droppedPackets() {
        return drops().stream().mapToLong(Drops::packets).sum();
    }

    /**
     * The per-CIDR drop counters ({@code nft -j list counters}), keyed by the CIDR each carries as its comment; empty
     * when there is no table. Counters start at zero whenever the table is rebuilt.
     */
    List<Drops> drops() {
        var r = host.exec("nft", "-j", "list", "counters", "table", "inet", TABLE);
        if (!r.ok()) return List.of();
        return parseCounters(r.stdout());
    }

    static List<Drops> parseCounters(String json) {
        List<Drops> out = new ArrayList<>();
        Matcher m = COUNTER.matcher(json);
        while (m.find()) {
            String body = m.group(1);
            Matcher c = COMMENT.matcher(body);
            Matcher p = PACKETS.matcher(body);
            Matcher b = BYTES.matcher(body);
            if (c.find() && p.find() && b.find())
                out.add(new Drops(c.group(1), Long.parseLong(p.group(1)), Long.parseLong(b.group(1))));
        }
        return out;
    }

    /** {@code nft -f -} with {@code script} as one transaction: all of it applies or none. */
    private CommandResult nft(String script) {
        return host.exec(Commands.DEFAULT_TIMEOUT, script, List.of("nft", "-f", "-"));
    }

    private static List<String> filter(Collection<String> cidrs, boolean v6) {
        return cidrs.stream()
                .filter(c -> IpAddresses.parseCidr(c)
                                .map(x -> x.network().getAddress().length == 16)
                                .orElse(false)
                        == v6)
                .sorted()
                .distinct()
                .toList();
    }

    private static boolean isV6(String cidr) {
        return IpAddresses.parseCidr(cidr)
                .map(x -> x.network().getAddress().length == 16)
                .orElse(false);
    }

    /** Longest prefix first, so a drop counts against the node's pod CIDR rather than a cluster-wide range around it. */
    private static List<String> mostSpecificFirst(Collection<String> cidrs) {
        return cidrs.stream()
                .distinct()
                .sorted(Comparator.comparingInt((String c) ->
                                -IpAddresses.parseCidr(c).orElseThrow().prefix())
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    private static void counter(StringBuilder sb, String name, String comment) {
        sb.append("  counter ")
                .append(name)
                .append(" { comment \"")
                .append(comment)
                .append("\"; }\n");
    }

    private static void set(StringBuilder sb, String name, String type, List<String> elements) {
        sb.append("  set ").append(name).append(" { type ").append(type).append("; flags interval; auto-merge;");
        if (!elements.isEmpty())
            sb.append(" elements = { ")
                    .append(elements.stream().collect(Collectors.joining(", ")))
                    .append(" };");
        sb.append(" }\n");
    }
}
