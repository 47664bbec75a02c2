package io.nodemesh.config.internal;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations the way people write them in mesh configuration ({@code 30s}, {@code 250ms}, {@code 2m}, {@code 1h30m},
 * Go/Envoy style), and also ISO-8601 ({@code PT30S}) because that is what Java prints.
 */
public final class DurationText {
    private static final Pattern COMPOUND = Pattern.compile("(?:\\d+(?:\\.\\d+)?(?:h|m|s|ms|us|µs|ns))+");
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(h|ms|m|s|us|µs|ns)");
    private static final BigInteger NANOS_PER_SECOND = BigInteger.valueOf(1_000_000_000L);

    /** Units from largest to smallest, each in nanoseconds, as written. */
    private enum Unit {
        H("h", 3_600_000_000_000L),
        M("m", 60_000_000_000L),
        S("s", 1_000_000_000L),
        MS("ms", 1_000_000L),
        US("us", 1_000L),
        NS("ns", 1L);

        final String symbol;
        final BigInteger nanos;

        Unit(String symbol, long nanos) {
            this.symbol = symbol;
            this.nanos = BigInteger.valueOf(nanos);
        }

        static Unit of(String symbol) {
            return switch (symbol) {
                case "h" -> H;
                case "m" -> M;
                case "s" -> S;
                case "ms" -> MS;
                case "us", "µs" -> US;
                default -> NS;
            };
        }
    }

    private DurationText() {}

    /**
     * Parses {@code 30s}, {@code 1.5s}, {@code 250ms}, {@code 1h30m}, {@code -5s} or {@code PT30S}.
     *
     * @throws IllegalArgumentException naming the accepted forms
     */
    public static Duration parse(String text) {
        String t = text.strip();
        boolean negative = t.startsWith("-");
        String body = negative ? t.substring(1) : t;
        if (body.toUpperCase(Locale.ROOT).startsWith("P")) {
            try {
                return Duration.parse(t);
            } catch (DateTimeParseException e) {
                throw invalid(text);
            }
        }
        if (body.equals("0")) return Duration.ZERO;
        if (!COMPOUND.matcher(body).matches()) throw invalid(text);
        BigDecimal nanos = BigDecimal.ZERO;
        Matcher part = PART.matcher(body);
        while (part.find()) {
            nanos = nanos.add(new BigDecimal(part.group(1)).multiply(new BigDecimal(Unit.of(part.group(2)).nanos)));
        }
        BigInteger whole;
        try {
            whole = nanos.toBigIntegerExact();
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is finer than a nanosecond");
        }
        BigInteger[] secondsAndNanos = whole.divideAndRemainder(NANOS_PER_SECOND);
        Duration d;
        try {
            d = Duration.ofSeconds(secondsAndNanos[0].longValueExact(), secondsAndNanos[1].longValue());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        return negative ? d.negated() : d;
    }

    /** The shortest exact form in one unit: {@code 0s}, {@code 90s}, {@code 2m}, {@code 250ms}, {@code -1h}. */
    public static String format(Duration duration) {
        if (duration.isZero()) return "0s";
        if (duration.isNegative()) return "-" + format(duration.negated());
        BigInteger nanos = BigInteger.valueOf(duration.getSeconds())
                .multiply(NANOS_PER_SECOND)
                .add(BigInteger.valueOf(duration.getNano()));
        for (Unit unit : Unit.values()) {
            BigInteger[] qr = nanos.divideAndRemainder(unit.nanos);
            if (qr[1].signum() == 0) return qr[0] + unit.symbol;
        }
        throw new AssertionError("every duration is a whole number of nanoseconds");
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "'" + text + "' is not a duration: write e.g. 30s, 250ms, 2m, 1h30m or PT30S");
    }
}
