package io.nodemesh.examples.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code nodemesh} command line: one entry point for the demo, state validation, the node agent and the capacity
 * planner. Each subcommand lives in its own class; add new ones to {@code subcommands}.
 */
@Command(
        name = "nodemesh",
        mixinStandardHelpOptions = true,
        version = "nodemesh 0.1.0",
        description = "Sidecarless service-mesh dataplanes: eBPF, one Envoy per node, WireGuard, and a simulator.",
        subcommands = {
            CommandLine.HelpCommand.class,
            ValidateCommand.class,
            io.nodemesh.examples.demo.DemoCommand.class,
            io.nodemesh.agent.AgentCommand.class,
            io.nodemesh.agent.StatusCommand.class,
            io.nodemesh.agent.FlowsCommand.class,
            io.nodemesh.agent.BootstrapCommand.class,
            io.nodemesh.agent.CaCommand.class,
            io.nodemesh.agent.UninstallCommand.class,
            SimCommand.class,
            io.nodemesh.examples.calibrate.CalibrateCommand.class,
            io.nodemesh.examples.lab.LabCommand.class,
        })
public final class NodemeshCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI and returns its exit code: 0 success, 1 failure, 2 bad input. */
    public static int run(String... args) {
        return new CommandLine(new NodemeshCommand()).execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
