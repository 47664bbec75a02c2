package io.nodemesh.agent;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPeer;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.function.Consumer;

/**
 * Prints flow events one line each as they happen, the way {@code hubble observe} does:
 * {@code 18:20:01.123 node-a shop/web-1 (10.1.1.5:43210) -> shop/api 10.96.0.10:80 => shop/api-1 (10.1.1.6:8080) FORWARDED via SOCKET_REDIRECT}.
 */
final class FlowPrinter implements Consumer<FlowEvent> {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("MMM dd HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final PrintStream out;

    FlowPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void accept(FlowEvent e) {
        out.println(format(e));
    }

    static String format(FlowEvent e) {
        StringBuilder b = new StringBuilder(160);
        b.append(TIME.format(e.time()))
                .append(' ')
                .append(e.node())
                .append(' ')
                .append(String.format("%-9s", e.type()));
        b.append(' ').append(peer(e.source())).append(" -> ");
        if (!e.service().isEmpty()) b.append(e.service()).append(' ');
        b.append(address(e.destination()));
        if (e.backend() != null) b.append(" => ").append(peer(e.backend()));
        b.append(' ').append(e.verdict()).append(" via ").append(e.path());
        if (e.bytes() > 0) b.append(' ').append(e.bytes()).append(" B");
        return b.toString();
    }

    private static String peer(FlowPeer p) {
        String who = p.workload().isEmpty() ? p.identity() : p.workload();
        return (who.isEmpty() ? "" : who + " ") + "(" + address(p) + ")";
    }

    private static String address(FlowPeer p) {
        return (p.ip().contains(":") ? "[" + p.ip() + "]" : p.ip()) + ":" + p.port();
    }
}
