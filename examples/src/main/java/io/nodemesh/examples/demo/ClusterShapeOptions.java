package io.nodemesh.examples.demo;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The cluster's size and seed, as {@code demo} and {@code lab} take them (a picocli mixin). */
public final class ClusterShapeOptions {
    @Option(names = "--nodes", defaultValue = "3", description = "nodes (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--services", defaultValue = "20", description = "services (default: ${DEFAULT-VALUE})")
    int services;

    @Option(
            names = "--pods-per-service",
            defaultValue = "5",
            description = "pods behind each service (default: ${DEFAULT-VALUE})")
    int podsPerService;

    @Option(
            names = "--seed",
            defaultValue = "1",
            description = "seed of every random choice (default: ${DEFAULT-VALUE})")
    long seed;

    /** The shape asked for; a bad one is a usage error of {@code commandLine} (exit code 2, message and usage). */
    public ClusterShape shape(CommandLine commandLine) {
        try {
            return new ClusterShape(nodes, services, podsPerService);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, e.getMessage());
        }
    }

    public long seed() {
        return seed;
    }
}
