package io.nodemesh.config.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.config.CheckedState;
import io.nodemesh.config.MeshStateFiles;
import io.nodemesh.config.StateFormat;
import io.nodemesh.contract.gen.MeshStates;
import io.nodemesh.contract.gen.Sizes;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * How long an agent takes to load a cluster-wide state file, against the baseline of merely parsing the same bytes
 * into a plain Jackson tree (no binding, no checks). Not a test: run it by hand (see docs/mesh-config.md).
 * <p>
 * States come from the property-test generator; the table says how many objects and bytes each one had.
 */
public final class StateFileBenchmark {
    private static final int WARMUP = 30;
    private static final int RUNS = 100;

    public static void main(String[] args) throws Exception {
        Sizes[] sizes = {Sizes.SMALL, Sizes.MEDIUM, Sizes.LARGE, new Sizes(50, 40, 1000, 200, 100)};
        System.out.printf(
                Locale.ROOT,
                "%-7s %-4s %9s %9s %11s %11s %11s %11s %11s%n",
                "size",
                "fmt",
                "objects",
                "bytes",
                "tree (base)",
                "parse",
                "validate",
                "check",
                "write");
        for (Sizes size : sizes) {
            MeshState state = largestOf(size);
            for (StateFormat format : StateFormat.values()) {
                String doc = MeshStateFiles.write(state, format);
                ObjectMapper plain = format == StateFormat.YAML ? new YAMLMapper() : new JsonMapper();
                double tree = bestMicros(() -> plain.readTree(doc));
                double parse = bestMicros(() -> MeshStateFiles.parse("bench", doc, format));
                double validate = bestMicros(state::validate);
                double check = bestMicros(() -> {
                    if (!(MeshStateFiles.check("bench", doc, format) instanceof CheckedState.Valid v))
                        throw new AssertionError("invalid");
                    return v;
                });
                double write = bestMicros(() -> MeshStateFiles.write(state, format));
                System.out.printf(
                        Locale.ROOT,
                        "%-7s %-4s %9d %9d %9.0f µs %8.0f µs %8.0f µs %8.0f µs %8.0f µs%n",
                        label(size),
                        format.name().toLowerCase(Locale.ROOT),
                        objects(state),
                        doc.length(),
                        tree,
                        parse,
                        validate,
                        check,
                        write);
            }
        }
        System.out.println("(best of " + RUNS + " runs after " + WARMUP
                + " warm-up runs, so other load on the machine shows less; one thread; 'check' = parse + validate;"
                + " 'tree' = the baseline: Jackson parsing the same bytes to a JsonNode tree)");
    }

    /** The biggest of a few samples, so the size column means something (the objects column says what was measured). */
    private static MeshState largestOf(Sizes size) {
        return MeshStates.validStates(size)
                .sampleStream()
                .limit(10)
                .max(java.util.Comparator.comparingInt(StateFileBenchmark::objects))
                .orElseThrow();
    }

    private static int objects(MeshState s) {
        return s.nodes().size()
                + s.workloads().size()
                + s.services().size()
                + s.policies().size()
                + s.routes().size();
    }

    private static String label(Sizes size) {
        if (size.equals(Sizes.SMALL)) return "small";
        if (size.equals(Sizes.MEDIUM)) return "medium";
        if (size.equals(Sizes.LARGE)) return "large";
        return "huge";
    }

    private static double bestMicros(Callable<?> work) throws Exception {
        for (int i = 0; i < WARMUP; i++) work.call();
        long[] nanos = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            long start = System.nanoTime();
            work.call();
            nanos[i] = System.nanoTime() - start;
        }
        return Arrays.stream(nanos).min().orElseThrow() / 1000.0;
    }
}
