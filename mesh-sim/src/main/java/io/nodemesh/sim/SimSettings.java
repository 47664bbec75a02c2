package io.nodemesh.sim;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Option;
import io.nodemesh.api.lb.Maglev;
import java.time.Instant;
import java.util.List;

/**
 * How a simulated dataplane is set up, read from the {@link #OPTIONS} in {@link DataplaneOptions}.
 *
 * @param seed             {@code sim.seed}: seeds every random choice (default 1), so a run is repeatable
 * @param maglevTableSize  {@code sim.maglevTableSize}: prime size of Maglev tables (default {@value Maglev#DEFAULT_TABLE_SIZE})
 * @param start            where the virtual clock starts ({@code sim.start}, ISO-8601; default 2026-01-01T00:00:00Z)
 */
public record SimSettings(long seed, int maglevTableSize, Instant start) {
    public static final Option<Long> SEED =
            Option.longInteger("sim.seed", 1, "seeds every random choice, so a run is repeatable");
    public static final Option<Integer> MAGLEV_TABLE_SIZE = Option.integer(
            "sim.maglevTableSize", Maglev.DEFAULT_TABLE_SIZE, 2, 1 << 24, "prime size of Maglev lookup tables");
    public static final Instant DEFAULT_START = Instant.parse("2026-01-01T00:00:00Z");
    public static final Option<String> START =
            Option.string("sim.start", DEFAULT_START.toString(), "where the virtual clock starts, an ISO-8601 instant");
    /** Every option the simulator reads. */
    public static final List<Option<?>> OPTIONS = List.of(SEED, MAGLEV_TABLE_SIZE, START);

    public static final SimSettings DEFAULTS = new SimSettings(1, Maglev.DEFAULT_TABLE_SIZE, DEFAULT_START);

    public SimSettings {
        if (!Maglev.isPrime(maglevTableSize)) {
            throw new IllegalArgumentException(
                    MAGLEV_TABLE_SIZE.key() + ": " + maglevTableSize + " is not a prime number");
        }
        start = start == null ? DEFAULT_START : start;
    }

    public static SimSettings seeded(long seed) {
        return new SimSettings(seed, Maglev.DEFAULT_TABLE_SIZE, DEFAULT_START);
    }

    /** Reads the {@code sim.*} options; a malformed one is an {@link IllegalArgumentException} naming it. */
    public static SimSettings from(DataplaneOptions options) {
        return new SimSettings(options.get(SEED), options.get(MAGLEV_TABLE_SIZE), parseInstant(options.get(START)));
    }

    private static Instant parseInstant(String value) {
        try {
            return Instant.parse(value);
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException(
                    START.key() + ": '" + value + "' is not an ISO-8601 instant such as 2026-01-01T00:00:00Z", e);
        }
    }
}
