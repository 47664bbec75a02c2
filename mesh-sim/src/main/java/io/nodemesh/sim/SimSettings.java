package io.nodemesh.sim;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.lb.Maglev;

import java.time.Instant;

/**
 * How a simulated dataplane is set up, read from {@link DataplaneOptions} properties.
 *
 * @param seed             {@code sim.seed}: seeds every random choice (default 1), so a run is repeatable
 * @param maglevTableSize  {@code sim.maglevTableSize}: prime size of Maglev tables (default {@value Maglev#DEFAULT_TABLE_SIZE})
 * @param start            where the virtual clock starts ({@code sim.start}, ISO-8601; default 2026-01-01T00:00:00Z)
 */
public record SimSettings(long seed, int maglevTableSize, Instant start) {
    public static final String SEED = "sim.seed";
    public static final String MAGLEV_TABLE_SIZE = "sim.maglevTableSize";
    public static final String START = "sim.start";
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");
    public static final SimSettings DEFAULTS = new SimSettings(1, Maglev.DEFAULT_TABLE_SIZE, DEFAULT_START);

    public SimSettings {
        if (!Maglev.isPrime(maglevTableSize)) {
            throw new IllegalArgumentException(MAGLEV_TABLE_SIZE + ": " + maglevTableSize + " is not a prime number");
        }
        start = start == null ? DEFAULT_START : start;
    }

    public static SimSettings seeded(long seed) {
        return new SimSettings(seed, Maglev.DEFAULT_TABLE_SIZE, DEFAULT_START);
    }

    /** Reads the {@code sim.*} properties; a malformed one is an {@link IllegalArgumentException} naming it. */
    public static SimSettings from(DataplaneOptions options) {
        long seed = options.property(SEED).map(v -> parseLong(SEED, v)).orElse(DEFAULTS.seed());
        int size = options.property(MAGLEV_TABLE_SIZE).map(v -> (int) parseLong(MAGLEV_TABLE_SIZE, v))
                .orElse(DEFAULTS.maglevTableSize());
        Instant start = options.property(START).map(SimSettings::parseInstant).orElse(DEFAULT_START);
        return new SimSettings(seed, size, start);
    }

    private static long parseLong(String key, String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + value + "' is not a whole number", e);
        }
    }

    private static Instant parseInstant(String value) {
        try {
            return Instant.parse(value.trim());
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(START + ": '" + value + "' is not an ISO-8601 instant such as 2026-01-01T00:00:00Z", e);
        }
    }
}
