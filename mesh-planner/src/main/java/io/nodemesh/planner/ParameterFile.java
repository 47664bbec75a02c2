package io.nodemesh.planner;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads and writes planner parameter files (YAML). Reading is strict: every value must be present, a number, and not
 * negative; unknown keys are typos and rejected. All problems are reported together, each with its dotted path.
 */
public final class ParameterFile {
    private static final String DEFAULTS = "default-parameters.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private ParameterFile() {}

    /** The documented defaults shipped with the planner (see {@code default-parameters.yaml}). */
    public static PlannerParameters defaults() {
        try (InputStream in = ParameterFile.class.getResourceAsStream(DEFAULTS)) {
            if (in == null)
                throw new IllegalStateException("planner resource " + DEFAULTS + " is missing from the jar");
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), DEFAULTS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code file}; problems name the file and the field. */
    public static PlannerParameters load(Path file) {
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw new PlanInputException("parameter file " + file + ": cannot read (" + e.getMessage() + ")");
        }
        return parse(text, file.toString());
    }

    /** Parses YAML {@code text}; {@code origin} names it in error messages. */
    public static PlannerParameters parse(String text, String origin) {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JsonProcessingException e) {
            throw new PlanInputException(
                    "parameter file " + origin + ": not valid YAML (" + e.getOriginalMessage() + ")");
        }
        Reader r = new Reader(origin);
        if (root == null || !root.isObject()) {
            throw new PlanInputException("parameter file " + origin + ": expected a YAML mapping at the top level");
        }
        r.keys(root, "", "description", "network", "proxies", "ebpf", "queueing");
        String description = r.text(root, "description");
        JsonNode net = r.object(root, "network");
        r.keys(net, "network.", "loopback", "podToPod", "podToNode", "nodeToNode", "socketRedirect", "wireguard");
        NetworkParameters network = new NetworkParameters(
                r.cost(net, "network.loopback"),
                r.cost(net, "network.podToPod"),
                r.cost(net, "network.podToNode"),
                r.cost(net, "network.nodeToNode"),
                r.cost(net, "network.socketRedirect"),
                r.cost(net, "network.wireguard"));
        JsonNode proxies = r.object(root, "proxies");
        r.keys(proxies, "proxies.", "sidecar", "nodeProxy");
        ProxyParameters sidecar = r.proxy(proxies, "proxies.sidecar");
        ProxyParameters nodeProxy = r.proxy(proxies, "proxies.nodeProxy");
        JsonNode ebpf = r.object(root, "ebpf");
        r.keys(ebpf, "ebpf.", "maps");
        MemoryCost maps = r.memory(ebpf, "ebpf.maps");
        JsonNode queueing = r.object(root, "queueing");
        r.keys(queueing, "queueing.", "serviceTimeCv");
        JsonNode cvNode = r.object(queueing, "queueing.serviceTimeCv");
        r.keys(cvNode, "queueing.serviceTimeCv.", "value", "source");
        double cv = r.number(cvNode, "queueing.serviceTimeCv.value");
        if (cv > 1) r.problem("queueing.serviceTimeCv.value must be between 0 and 1, got " + cv);
        String cvSource = r.source(cvNode, "queueing.serviceTimeCv");
        r.throwIfAny();
        return new PlannerParameters(description, network, sidecar, nodeProxy, maps, cv, cvSource);
    }

    /** Renders {@code p} as a parameter file that {@link #parse} reads back to an equal value. */
    public static String write(PlannerParameters p, String headerComment) {
        StringBuilder b = new StringBuilder();
        for (String line : headerComment.split("\n"))
            b.append("# ").append(line).append('\n');
        b.append(
                "# Units: µs linear in size (fixedUs + perKbUs × KiB); proxy CPU per traversal; memory MiB + KiB per object.\n");
        b.append("description: ").append(quote(p.description())).append("\n\nnetwork:\n");
        NetworkParameters n = p.network();
        cost(b, "  loopback", n.loopback());
        cost(b, "  podToPod", n.podToPod());
        cost(b, "  podToNode", n.podToNode());
        cost(b, "  nodeToNode", n.nodeToNode());
        cost(b, "  socketRedirect", n.socketRedirect());
        cost(b, "  wireguard", n.wireguard());
        b.append("\nproxies:\n");
        proxy(b, "sidecar", p.sidecar());
        proxy(b, "nodeProxy", p.nodeProxy());
        b.append("\nebpf:\n");
        memory(b, "  maps", p.ebpfMaps());
        b.append("\nqueueing:\n  serviceTimeCv: {value: ")
                .append(num(p.serviceTimeCv()))
                .append(", source: ")
                .append(quote(p.serviceTimeCvSource()))
                .append("}\n");
        return b.toString();
    }

    private static void proxy(StringBuilder b, String name, ProxyParameters p) {
        b.append("  ").append(name).append(":\n");
        b.append("    workers: {count: ")
                .append(p.workers())
                .append(", source: ")
                .append(quote(p.workersSource()))
                .append("}\n");
        cost(b, "    relay", p.relay());
        cost(b, "    http", p.http());
        cost(b, "    mtls", p.mtls());
        memory(b, "    memory", p.memory());
    }

    private static void cost(StringBuilder b, String key, LinearCost c) {
        b.append(key)
                .append(": {fixedUs: ")
                .append(num(c.fixedUs()))
                .append(", perKbUs: ")
                .append(num(c.perKbUs()))
                .append(", source: ")
                .append(quote(c.source()))
                .append("}\n");
    }

    private static void memory(StringBuilder b, String key, MemoryCost m) {
        b.append(key)
                .append(": {baseMb: ")
                .append(num(m.baseMb()))
                .append(", perServiceKb: ")
                .append(num(m.perServiceKb()))
                .append(", perEndpointKb: ")
                .append(num(m.perEndpointKb()))
                .append(", source: ")
                .append(quote(m.source()))
                .append("}\n");
    }

    private static String num(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? String.format(Locale.ROOT, "%.1f", v) : Double.toString(v);
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Walks the tree collecting every problem instead of stopping at the first. */
    private static final class Reader {
        private final String origin;
        private final List<String> problems = new ArrayList<>();

        Reader(String origin) {
            this.origin = origin;
        }

        void problem(String p) {
            problems.add(p);
        }

        void throwIfAny() {
            if (problems.isEmpty()) return;
            throw new PlanInputException(problems.stream()
                    .map(p -> "parameter file " + origin + ": " + p)
                    .toList());
        }

        /** Rejects keys that are not {@code allowed}: a typo would otherwise silently fall back to nothing. */
        void keys(JsonNode node, String prefix, String... allowed) {
            if (node == null || !node.isObject()) return;
            Set<String> ok = new HashSet<>(List.of(allowed));
            node.fieldNames().forEachRemaining(k -> {
                if (!ok.contains(k))
                    problem(prefix + k + " is not a known key (expected one of " + String.join(", ", allowed) + ")");
            });
        }

        JsonNode object(JsonNode parent, String path) {
            JsonNode n = parent == null ? null : parent.get(leaf(path));
            if (n == null || n.isNull()) {
                if (parent != null) problem(path + " is missing");
                return null;
            }
            if (!n.isObject()) {
                problem(path + " must be a mapping");
                return null;
            }
            return n;
        }

        String text(JsonNode parent, String path) {
            JsonNode n = parent == null ? null : parent.get(leaf(path));
            if (n == null || !n.isTextual() || n.asText().isBlank()) {
                if (parent != null) problem(path + " is missing (a non-empty string)");
                return "";
            }
            return n.asText();
        }

        String source(JsonNode parent, String groupPath) {
            JsonNode n = parent == null ? null : parent.get("source");
            if (n == null || !n.isTextual() || n.asText().isBlank()) {
                if (parent != null) problem(groupPath + ".source is missing: say where the numbers come from");
                return "";
            }
            return n.asText();
        }

        double number(JsonNode parent, String path) {
            JsonNode n = parent == null ? null : parent.get(leaf(path));
            if (n == null || n.isNull()) {
                if (parent != null) problem(path + " is missing");
                return 0;
            }
            if (!n.isNumber()) {
                problem(path + " must be a number, got '" + n.asText() + "'");
                return 0;
            }
            double v = n.asDouble();
            if (v < 0 || Double.isNaN(v) || Double.isInfinite(v)) {
                problem(path + " must be a finite number >= 0, got " + v);
                return 0;
            }
            return v;
        }

        LinearCost cost(JsonNode parent, String path) {
            JsonNode n = object(parent, path);
            keys(n, path + ".", "fixedUs", "perKbUs", "source");
            return new LinearCost(number(n, path + ".fixedUs"), number(n, path + ".perKbUs"), source(n, path));
        }

        MemoryCost memory(JsonNode parent, String path) {
            JsonNode n = object(parent, path);
            keys(n, path + ".", "baseMb", "perServiceKb", "perEndpointKb", "source");
            return new MemoryCost(
                    number(n, path + ".baseMb"),
                    number(n, path + ".perServiceKb"),
                    number(n, path + ".perEndpointKb"),
                    source(n, path));
        }

        ProxyParameters proxy(JsonNode parent, String path) {
            JsonNode n = object(parent, path);
            keys(n, path + ".", "workers", "relay", "http", "mtls", "memory");
            JsonNode w = object(n, path + ".workers");
            keys(w, path + ".workers.", "count", "source");
            double count = number(w, path + ".workers.count");
            if (w != null
                    && w.get("count") != null
                    && w.get("count").isNumber()
                    && (count < 1 || count != Math.rint(count))) {
                problem(path + ".workers.count must be a whole number >= 1, got "
                        + w.get("count").asText());
            }
            String wSource = source(w, path + ".workers");
            return new ProxyParameters(
                    (int) Math.max(1, count),
                    wSource,
                    cost(n, path + ".relay"),
                    cost(n, path + ".http"),
                    cost(n, path + ".mtls"),
                    memory(n, path + ".memory"));
        }

        private static String leaf(String path) {
            return path.substring(path.lastIndexOf('.') + 1);
        }
    }
}
