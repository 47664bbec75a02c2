package io.nodemesh.planner.calibration;

/**
 * One pinned sockperf ping-pong: its one-way p50 (RTT/2, as sockperf reports).
 *
 * @param name  the hop or path measured, e.g. {@code podToPod}
 * @param bytes message size
 * @param p50Us one-way p50 in µs
 * @param how   the setup, e.g. {@code client pod a -> server pod b over veth+bridge}
 */
public record Measurement(String name, int bytes, double p50Us, String how) {}
