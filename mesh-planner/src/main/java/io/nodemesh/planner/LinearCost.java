package io.nodemesh.planner;

/**
 * A cost linear in message size, as in the MeshInsight model: {@code fixedUs + perKbUs × KB}.
 * Used both for one-way network latency of a segment and for a proxy's CPU per traversal.
 *
 * @param fixedUs microseconds at zero bytes
 * @param perKbUs microseconds per KiB of payload
 * @param source  where the numbers come from (a measurement, a publication, or "assumption: …")
 */
public record LinearCost(double fixedUs, double perKbUs, String source) {
    public static final LinearCost ZERO = new LinearCost(0, 0, "none");

    public LinearCost {
        source = source == null ? "" : source;
    }

    /** Microseconds for a message of {@code bytes}. */
    public double us(int bytes) {
        return fixedUs + perKbUs * bytes / 1024.0;
    }

    public LinearCost plus(LinearCost other) {
        return new LinearCost(fixedUs + other.fixedUs, perKbUs + other.perKbUs, source + " + " + other.source);
    }
}
