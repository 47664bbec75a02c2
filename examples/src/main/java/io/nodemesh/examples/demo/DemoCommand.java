package io.nodemesh.examples.demo;

import io.nodemesh.api.state.MeshState;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh demo}: the article's scenario on the simulator. It builds one cluster-wide mesh state (20 services ×
 * 5 pods on 3 nodes by default), drives seeded traffic through simulated node kernels, prints where the connections
 * went and the proxy arithmetic of sidecars vs one proxy per node vs eBPF.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description =
                "Run the article's scenario on the simulator: flows by path and verdict, and the proxy arithmetic.")
public final class DemoCommand implements Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.Mixin
    ClusterShapeOptions cluster;

    @Option(
            names = "--connections",
            defaultValue = "2000",
            description = "connections to simulate (default: ${DEFAULT-VALUE})")
    int connections;

    @Override
    public Integer call() {
        // A ParameterException makes picocli print the message and usage and exit with 2, the CLI's bad-input code.
        ClusterShape shape = cluster.shape(spec.commandLine());
        long seed = cluster.seed();
        if (connections < 0 || connections > 10_000_000)
            throw new CommandLine.ParameterException(
                    spec.commandLine(), "--connections " + connections + " is outside 0..10000000");
        MeshState state = DemoCluster.build(shape, seed);
        DemoReport report = DemoTraffic.run(state, seed, connections);
        DemoPrinter.print(spec.commandLine().getOut(), shape, seed, connections, state, report);
        return 0;
    }
}
