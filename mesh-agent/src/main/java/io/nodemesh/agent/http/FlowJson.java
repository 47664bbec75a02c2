package io.nodemesh.agent.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.FlowPeer;
import io.nodemesh.api.Verdict;
import java.time.Instant;

/**
 * One flow event as a line of JSON, for the {@code /flows} stream, and back ({@code nodemesh flows}). Written by hand:
 * it is small, fixed, and on the flow thread's hot path.
 */
public final class FlowJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private FlowJson() {}

    /** Reads one {@code data:} line of the stream; the message names what was wrong. */
    public static FlowEvent read(String json) {
        try {
            JsonNode n = MAPPER.readTree(json);
            String path = n.path("path").asText("");
            return new FlowEvent(
                    Instant.parse(n.path("time").asText()),
                    n.path("node").asText(""),
                    FlowEvent.Type.valueOf(n.path("type").asText()),
                    peer(n.get("source")),
                    peer(n.get("destination")),
                    n.path("service").asText(""),
                    peer(n.get("backend")),
                    Verdict.valueOf(n.path("verdict").asText()),
                    path.isEmpty() ? null : FlowPath.valueOf(path),
                    n.path("bytes").asLong());
        } catch (JsonProcessingException | RuntimeException e) {
            throw new IllegalArgumentException("not a nodemesh flow event (" + e.getMessage() + "): " + json, e);
        }
    }

    private static FlowPeer peer(JsonNode n) {
        if (n == null || n.isNull()) return null;
        return new FlowPeer(
                n.path("ip").asText(""),
                n.path("port").asInt(),
                n.path("workload").asText(""),
                n.path("identity").asText(""));
    }

    public static String of(FlowEvent e) {
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
