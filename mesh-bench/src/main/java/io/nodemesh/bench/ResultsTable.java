package io.nodemesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Turns JMH's JSON results ({@code -rf json}) into a Markdown table with each result's ratio to the floor benchmark of
 * the same class and parameters. {@code java … io.nodemesh.bench.ResultsTable results.json results.md}.
 */
public final class ResultsTable {
    private ResultsTable() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: ResultsTable <jmh results.json> <table.md>");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        List<Result> results = read(in);
        if (results.isEmpty()) {
            System.err.println("ResultsTable: " + in + " holds no results");
            System.exit(1);
        }
        String table = markdown(results);
        Files.writeString(Path.of(args[1]), table);
        System.out.print(table);
    }

    static List<Result> read(Path json) throws IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        if (root == null || !root.isArray()) throw new IOException(json + ": not a JMH JSON result array");
        List<Result> out = new ArrayList<>();
        for (JsonNode r : root) {
            String full = r.path("benchmark").asText();
            int dot = full.lastIndexOf('.');
            String cls = full.substring(full.lastIndexOf('.', dot - 1) + 1, dot);
            Map<String, String> params = new TreeMap<>();
            r.path("params")
                    .properties()
                    .forEach(e -> params.put(e.getKey(), e.getValue().asText()));
            JsonNode m = r.path("primaryMetric");
            double error =
                    m.path("scoreError").isNumber() ? m.path("scoreError").asDouble() : Double.NaN;
            out.add(new Result(
                    cls,
                    full.substring(dot + 1),
                    params,
                    m.path("score").asDouble(),
                    error,
                    m.path("scoreUnit").asText()));
        }
        return out;
    }

    static String markdown(List<Result> results) {
        StringBuilder b = new StringBuilder();
        b.append("| benchmark | params | time | ± (99.9%) | ratio to floor | floor |\n");
        b.append("| --- | --- | ---: | ---: | ---: | ---: |\n");
        List<Result> sorted = new ArrayList<>(results);
        sorted.sort(Comparator.comparing(Result::benchmarkClass)
                .thenComparing(r -> sortableParams(r.params()))
                .thenComparing(Result::isFloor)
                .thenComparing(Result::method));
        for (Result r : sorted) {
            Optional<Result> floor = floorOf(r, results);
            String ratio = r.isFloor()
                    ? "1 (floor)"
                    : floor.map(f -> number(r.score() / f.score()) + "×").orElse("no floor");
            b.append(String.format(
                    Locale.ROOT,
                    "| %s.%s | %s | %s %s | %s | %s | %s |%n",
                    r.benchmarkClass(),
                    r.method(),
                    params(r.params()),
                    number(r.score()),
                    r.unit(),
                    Double.isNaN(r.error()) ? "-" : number(r.error()),
                    ratio,
                    floor.map(f -> number(f.score()) + " " + f.unit()).orElse("-")));
        }
        return b.toString();
    }

    private static Optional<Result> floorOf(Result r, List<Result> all) {
        return all.stream()
                .filter(f -> f.isFloor()
                        && f.benchmarkClass().equals(r.benchmarkClass())
                        && f.params().equals(r.params())
                        && f.unit().equals(r.unit()))
                .findFirst();
    }

    private static String params(Map<String, String> p) {
        if (p.isEmpty()) return "-";
        StringBuilder b = new StringBuilder();
        new TreeMap<>(p)
                .forEach((k, v) ->
                        b.append(b.isEmpty() ? "" : ", ").append(k).append('=').append(v));
        return b.toString();
    }

    /** Numbers sort as numbers: {@code services=1000} before {@code services=10000}, and before 2000. */
    private static String sortableParams(Map<String, String> p) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(p)
                .forEach((k, v) -> b.append(k)
                        .append('=')
                        .append(v.matches("\\d+") ? String.format("%012d", Long.parseLong(v)) : v)
                        .append(';'));
        return b.toString();
    }

    /** Three significant figures, without exponent notation. */
    static String number(double v) {
        if (v == 0) return "0";
        double a = Math.abs(v);
        String f = a >= 100 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : a >= 0.01 ? "%.4f" : "%.6f";
        return String.format(Locale.ROOT, f, v);
    }
}
