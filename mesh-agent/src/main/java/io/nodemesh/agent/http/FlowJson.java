package io.nodemesh.agent.http;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPeer;

/** One flow event as a line of JSON, for the {@code /flows} stream. Written by hand: it is small and fixed. */
final class FlowJson {
    private FlowJson() {}

    static String of(FlowEvent e) {
        StringBuilder b = new StringBuilder(256).append('{');
        field(b, "time", String.valueOf(e.time())).append(',');
        field(b, "node", e.node()).append(',');
        field(b, "type", e.type().name()).append(',');
        b.append("\"source\":");
        peer(b, e.source()).append(',');
        b.append("\"destination\":");
        peer(b, e.destination()).append(',');
        field(b, "service", e.service()).append(',');
        b.append("\"backend\":");
        peer(b, e.backend()).append(',');
        field(b, "verdict", e.verdict().name()).append(',');
        field(b, "path", e.path() == null ? "" : e.path().name()).append(',');
        b.append("\"bytes\":").append(e.bytes());
        return b.append('}').toString();
    }

    private static StringBuilder peer(StringBuilder b, FlowPeer p) {
        if (p == null) return b.append("null");
        b.append('{');
        field(b, "ip", p.ip()).append(',');
        b.append("\"port\":").append(p.port()).append(',');
        field(b, "workload", p.workload()).append(',');
        field(b, "identity", p.identity());
        return b.append('}');
    }

    private static StringBuilder field(StringBuilder b, String name, String value) {
        b.append('"').append(name).append("\":\"");
        String v = value == null ? "" : value;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        return b.append('"');
    }
}
