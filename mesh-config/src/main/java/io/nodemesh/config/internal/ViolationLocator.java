package io.nodemesh.config.internal;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodemesh.api.state.MeshState;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the line and column of a validation violation in the document it came from. Violations name objects by key
 * ({@code services[shop/web].ports[0].port}); the document is walked once to record where every value sits by position
 * ({@code services[3].ports[0].port}), and a key is turned into a position through the parsed state. A field that is
 * absent from the document (left at its default) is reported at the nearest enclosing object.
 */
public final class ViolationLocator {
    /** 1-based line and column; 0 when unknown. */
    public record Position(int line, int column) {
        static final Position UNKNOWN = new Position(0, 0);
    }

    private final Map<String, Position> positions;

    private ViolationLocator(Map<String, Position> positions) {
        this.positions = positions;
    }

    public static ViolationLocator of(ObjectMapper mapper, String content) {
        Map<String, Position> positions = new HashMap<>();
        try (JsonParser p = mapper.createParser(content)) {
            if (p.nextToken() != null) walk(p, "", positions);
        } catch (IOException e) {
            // The content parsed once already; if it does not now, violations simply carry no line numbers.
        }
        return new ViolationLocator(positions);
    }

    /** Where the field a violation path names is, or the closest enclosing thing that is in the document. */
    public Position locate(MeshState state, String violationPath) {
        String path = byIndex(state, violationPath);
        return path == null ? Position.UNKNOWN : locate(path);
    }

    /** Where a path by position ({@code services[3].ports[0].port}) is, or the closest enclosing thing in the document. */
    public Position locate(String path) {
        while (true) {
            Position at = positions.get(path);
            if (at != null) return at;
            int cut = Math.max(path.lastIndexOf('.'), path.lastIndexOf('['));
            if (cut <= 0) return positions.getOrDefault("", Position.UNKNOWN);
            path = path.substring(0, cut);
        }
    }

    /** {@code services[shop/web].ports[0]} → {@code services[3].ports[0]}, or null when the key names no object. */
    private static String byIndex(MeshState state, String path) {
        int open = path.indexOf('[');
        if (open < 0) return path;
        String list = path.substring(0, open);
        String rest = path.substring(open + 1);
        List<String> keys = switch (list) {
            case "nodes" ->
                state.nodes().stream().map(n -> String.valueOf(n.name())).toList();
            case "workloads" -> state.workloads().stream().map(w -> w.key()).toList();
            case "services" -> state.services().stream().map(s -> s.key()).toList();
            case "policies" -> state.policies().stream().map(p -> p.key()).toList();
            case "routes" -> state.routes().stream().map(r -> r.key()).toList();
            default -> List.of();
        };
        // Backwards: when two objects share a key, the violations that name it ("duplicate …") are about the later one.
        for (int i = keys.size() - 1; i >= 0; i--) {
            if (rest.startsWith(keys.get(i) + "]"))
                return list + "[" + i + "]" + rest.substring(keys.get(i).length() + 1);
        }
        // Objects without a usable name are named by their position already.
        int close = rest.indexOf(']');
        if (close > 0 && rest.substring(0, close).chars().allMatch(Character::isDigit)) return list + "[" + rest;
        return null;
    }

    private static void walk(JsonParser p, String path, Map<String, Position> out) throws IOException {
        out.putIfAbsent(path, position(p.currentTokenLocation()));
        switch (p.currentToken()) {
            case START_OBJECT -> {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String child = path.isEmpty() ? p.currentName() : path + "." + p.currentName();
                    out.put(child, position(p.currentTokenLocation()));
                    p.nextToken();
                    walk(p, child, out);
                }
            }
            case START_ARRAY -> {
                int index = 0;
                while (p.nextToken() != JsonToken.END_ARRAY) walk(p, path + "[" + index++ + "]", out);
            }
            default -> {}
        }
    }

    private static Position position(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) return Position.UNKNOWN;
        return new Position(location.getLineNr(), Math.max(0, location.getColumnNr()));
    }
}
