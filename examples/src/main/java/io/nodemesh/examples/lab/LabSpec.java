package io.nodemesh.examples.lab;

import io.nodemesh.examples.demo.ClusterShape;

/**
 * What lab to build.
 *
 * @param shape the demo cluster to run (its state is {@code nodemesh demo}'s for the same shape and seed)
 * @param seed  the demo's seed
 * @param stem  the name stem of everything made ({@code nml} for the command; tests use their own)
 */
public record LabSpec(ClusterShape shape, long seed, String stem) {}
