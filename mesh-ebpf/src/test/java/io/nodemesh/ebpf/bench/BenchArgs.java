package io.nodemesh.ebpf.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The control-plane benchmark's arguments, as flags ({@code --services 50000 --backends 10 --rounds 3 --changes 40})
 * or, as before, positionally ({@code 10000 10 5 40}). An unknown flag or a value that is not a positive number is
 * an error naming it.
 */
record BenchArgs(int services, int backends, int rounds, int changes) {
    private static final String[] NAMES = {"services", "backends", "rounds", "changes"};

    static BenchArgs parse(String... args) {
        Map<String, Integer> values =
                new LinkedHashMap<>(Map.of("services", 10_000, "backends", 10, "rounds", 5, "changes", 40));
        int position = 0;
        for (int i = 0; i < args.length; i++) {
            String name;
            String value;
            if (args[i].startsWith("--")) {
                name = args[i].substring(2);
                if (!values.containsKey(name))
                    throw new IllegalArgumentException(
                            "unknown flag " + args[i] + "; known: --" + String.join(", --", NAMES));
                if (i + 1 == args.length) throw new IllegalArgumentException(args[i] + " needs a number");
                value = args[++i];
            } else {
                if (position == NAMES.length)
                    throw new IllegalArgumentException("too many arguments at '" + args[i] + "'");
                name = NAMES[position++];
                value = args[i];
            }
            values.put(name, positive(name, value));
        }
        return new BenchArgs(
                values.get("services"), values.get("backends"), values.get("rounds"), values.get("changes"));
    }

    private static int positive(String name, String value) {
        try {
            int n = Integer.parseInt(value.replace("_", "").replace(",", ""));
            if (n > 0) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("--" + name + " must be a positive number, was '" + value + "'");
    }
}
