package io.nodemesh.netlab;

import java.util.OptionalLong;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The per-run prefix of every object a lab makes: a short stem naming the user ({@code nmp} calibration, {@code nmw}
 * WireGuard tests, …) followed by the pid of the JVM that made it, e.g. {@code nmp4711-node}. A crashed run's
 * leftovers then never collide with the next run's objects, and are recognisable as stale: their pid is dead.
 *
 * @param stem lower-case letters, at most 5, so that prefix + pid + a short suffix fits an interface name (15 chars)
 * @param pid  the owning process
 */
public record LabPrefix(String stem, long pid) {
    private static final Pattern STEM = Pattern.compile("[a-z]{1,5}");

    public LabPrefix {
        if (!STEM.matcher(stem).matches())
            throw new IllegalArgumentException("stem must be 1-5 lower-case letters, got '" + stem + "'");
        if (pid <= 0) throw new IllegalArgumentException("pid must be positive, got " + pid);
    }

    /** {@code stem} + this JVM's pid. */
    public static LabPrefix forThisProcess(String stem) {
        return new LabPrefix(stem, ProcessHandle.current().pid());
    }

    /** Reads {@code nmp4711} back into stem and pid. */
    public static LabPrefix parse(String value) {
        Matcher m = Pattern.compile("([a-z]{1,5})(\\d+)").matcher(value);
        if (!m.matches())
            throw new IllegalArgumentException("a lab prefix is <letters><pid>, like nmp4711; got '" + value + "'");
        return new LabPrefix(m.group(1), Long.parseLong(m.group(2)));
    }

    /** The prefix itself, e.g. {@code nmp4711}. */
    public String value() {
        return stem + pid;
    }

    /** {@code value() + suffix}. */
    public String name(String suffix) {
        return value() + suffix;
    }

    /** True if {@code name} is this prefix followed by a non-digit or nothing ({@code nmp47} does not own {@code nmp471-a}). */
    public boolean owns(String name) {
        return ownerPid(stem, name).orElse(-1) == pid;
    }

    /** The pid in {@code name} if it starts with {@code stem<digits>} (and no further digit), else empty. */
    public static OptionalLong ownerPid(String stem, String name) {
        if (!name.startsWith(stem)) return OptionalLong.empty();
        int i = stem.length();
        int j = i;
        while (j < name.length() && Character.isDigit(name.charAt(j))) j++;
        if (j == i || j - i > 18) return OptionalLong.empty();
        return OptionalLong.of(Long.parseLong(name.substring(i, j)));
    }

    /** Names with this stem whose owning process is gone: what crashed runs left (never a live run's, nor ours). */
    public Predicate<String> staleRuns() {
        return name -> {
            OptionalLong owner = ownerPid(stem, name);
            if (owner.isEmpty() || owner.getAsLong() == pid) return false;
            return ProcessHandle.of(owner.getAsLong()).map(h -> !h.isAlive()).orElse(true);
        };
    }

    @Override
    public String toString() {
        return value();
    }
}
