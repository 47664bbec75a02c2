package io.nodemesh.agent;

import io.nodemesh.agent.http.AgentStatus;
import java.io.PrintStream;

/** One backend's health as {@code nodemesh status} prints it: its problems, then a table per kind of detail. */
final class BackendStatePrinter {
    private BackendStatePrinter() {}

    static void print(PrintStream out, AgentStatus.BackendState b) {
        out.println();
        out.println("backend " + b.backend()
                + (b.problems().isEmpty() ? "  healthy" : "  " + b.problems().size() + " problem(s)"));
        b.problems().forEach(p -> out.println("  ! " + p));
        if (!b.tables().isEmpty()) {
            out.printf("  %-24s %10s %10s %6s%n", "TABLE", "ENTRIES", "CAPACITY", "FILL");
            for (AgentStatus.Table t : b.tables()) {
                double fill = t.capacity() == 0 ? 0 : 100.0 * t.entries() / t.capacity();
                out.printf(
                        "  %-24s %10d %10d %5.1f%%%s%n",
                        t.name(), t.entries(), t.capacity(), fill, t.evicting() ? " (lru)" : "");
            }
        }
        if (!b.peers().isEmpty()) {
            out.printf("  %-16s %-22s %-22s %12s %12s%n", "PEER", "ENDPOINT", "LAST HANDSHAKE", "RX BYTES", "TX BYTES");
            for (AgentStatus.Peer p : b.peers()) {
                out.printf(
                        "  %-16s %-22s %-22s %12d %12d%n",
                        p.node(),
                        orDash(p.endpoint()),
                        p.lastHandshake() == null ? "never" : p.lastHandshake(),
                        p.rxBytes(),
                        p.txBytes());
            }
        }
        if (!b.clients().isEmpty()) {
            out.printf("  %-20s %-22s %-10s %-10s %6s  %s%n", "PROXY", "TYPE", "SENT", "ACKED", "NACKS", "LAST NACK");
            for (AgentStatus.Client c : b.clients()) {
                out.printf(
                        "  %-20s %-22s %-10s %-10s %6d  %s%n",
                        c.node(), c.type(), orDash(c.sent()), orDash(c.acked()), c.nacks(), orDash(c.lastNack()));
            }
        }
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
