package io.nodemesh.api;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * One setting a backend takes in its {@link DataplaneOptions}: a key, a type, a default and a line of documentation.
 * Each provider declares its options ({@link io.nodemesh.api.spi.DataplaneProvider#options()}), so a misspelt key is
 * an error that lists the known ones, and a value of the wrong type is an error naming the key.
 *
 * @param <T> the value's type
 */
public final class Option<T> {
    private final String key;
    private final String type;
    private final T defaultValue;
    private final String description;
    private final Function<String, T> parser;

    private Option(String key, String type, T defaultValue, String description, Function<String, T> parser) {
        this.key = Objects.requireNonNull(key, "key");
        this.type = type;
        this.defaultValue = defaultValue;
        this.description = description;
        this.parser = parser;
    }

    public static Option<String> string(String key, String defaultValue, String description) {
        return new Option<>(key, "text", defaultValue, description, String::strip);
    }

    public static Option<Boolean> bool(String key, boolean defaultValue, String description) {
        return new Option<>(key, "true or false", defaultValue, description, v -> switch (v.strip()
                .toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            case "false", "no", "off" -> false;
            default -> throw new IllegalArgumentException("expected true or false");
        });
    }

    /** An integer in {@code [min, max]}. */
    public static Option<Integer> integer(String key, int defaultValue, int min, int max, String description) {
        return new Option<>(key, "an integer in [" + min + ", " + max + "]", defaultValue, description, v -> {
            long n = Long.parseLong(v.strip());
            if (n < min || n > max)
                throw new IllegalArgumentException("expected an integer in [" + min + ", " + max + "]");
            return (int) n;
        });
    }

    public static Option<Long> longInteger(String key, long defaultValue, String description) {
        return new Option<>(key, "an integer", defaultValue, description, v -> Long.parseLong(v.strip()));
    }

    /** A path; {@code defaultValue} may be null for "none unless set". */
    public static Option<Path> path(String key, Path defaultValue, String description) {
        return new Option<>(key, "a path", defaultValue, description, v -> Path.of(v.strip()));
    }

    /** A duration written {@code 30s}, {@code 250ms}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT30S}). */
    public static Option<Duration> duration(String key, Duration defaultValue, String description) {
        return new Option<>(key, "a duration such as 30s", defaultValue, description, Option::parseDuration);
    }

    /** One of {@code type}'s constants, case-insensitive. */
    public static <E extends Enum<E>> Option<E> oneOf(String key, Class<E> type, E defaultValue, String description) {
        String names = Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT))
                .collect(Collectors.joining(", "));
        return new Option<>(
                key,
                "one of " + names,
                defaultValue,
                description,
                v -> Enum.valueOf(type, v.strip().toUpperCase(Locale.ROOT)));
    }

    /** A comma-separated list, blanks dropped. */
    public static Option<List<String>> list(String key, String description) {
        return new Option<>(
                key,
                "a comma-separated list",
                List.of(),
                description,
                v -> Arrays.stream(v.split(","))
                        .map(String::strip)
                        .filter(s -> !s.isEmpty())
                        .toList());
    }

    public String key() {
        return key;
    }

    /** The value when the option is not set; null when it has none. */
    public T defaultValue() {
        return defaultValue;
    }

    public String description() {
        return description;
    }

    /** What a value must look like, e.g. "an integer in [1, 65535]". */
    public String type() {
        return type;
    }

    /**
     * Reads {@code text}.
     *
     * @throws IllegalArgumentException naming this option, the text and what was expected
     */
    public T parse(String text) {
        try {
            return parser.apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("option " + key + ": '" + text + "' is not " + type, e);
        }
    }

    @Override
    public String toString() {
        return key + " (" + type + (defaultValue == null ? "" : ", default " + defaultValue) + "): " + description;
    }

    private static Duration parseDuration(String text) {
        String v = text.strip().toLowerCase(Locale.ROOT);
        try {
            if (v.startsWith("pt") || v.startsWith("p")) return Duration.parse(v.toUpperCase(Locale.ROOT));
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        int unit = 0;
        while (unit < v.length() && (Character.isDigit(v.charAt(unit)) || v.charAt(unit) == '.')) unit++;
        if (unit == 0) throw new IllegalArgumentException("no number");
        long amount = Long.parseLong(v.substring(0, unit));
        return switch (v.substring(unit)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s", "" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> throw new IllegalArgumentException("unknown unit");
        };
    }
}
