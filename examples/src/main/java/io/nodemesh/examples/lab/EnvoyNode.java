package io.nodemesh.examples.lab;

import io.nodemesh.agent.BootstrapCommand;
import io.nodemesh.netlab.ChildProcess;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * One node's Envoy, when an {@code envoy} binary is on PATH: started from {@code nodemesh bootstrap} for the node (its
 * ADS at the agent's xDS port on the node's loopback), in the node's namespace and in its own cgroup below the node's
 * ({@code --proxy-cgroup}), so the eBPF programs do not steer its upstream connections back into it.
 */
final class EnvoyNode implements AutoCloseable {
    /** The proxy's cgroup, below the node's. */
    static final String CGROUP = "proxy";

    private final ChildProcess process;

    private EnvoyNode(ChildProcess process) {
        this.process = process;
    }

    /** The {@code envoy} on PATH, if any. */
    static Optional<Path> binary() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path p = Path.of(dir, "envoy");
            if (!dir.isEmpty() && Files.isExecutable(p)) return Optional.of(p);
        }
        return Optional.empty();
    }

    /** Writes node {@code node}'s bootstrap into {@code dir} and starts Envoy from it. */
    static EnvoyNode start(Path envoy, LabNode node, Path dir) {
        Path bootstrap = dir.resolve(node.name() + "-envoy.json");
        int code = new CommandLine(new BootstrapCommand())
                .execute(
                        "--node", node.name(),
                        "--proxy-port", Integer.toString(LabNode.PROXY_PORT),
                        "--option", "envoy.xdsPort=" + LabNode.XDS_PORT,
                        "--output-file", bootstrap.toString());
        if (code != 0) throw new IllegalStateException("nodemesh bootstrap for " + node.name() + " exited " + code);
        List<String> argv = ChildJvm.inNodeAndCgroup(
                node.netnsPath(),
                node.cgroup().resolve(CGROUP),
                List.of(
                        envoy.toString(),
                        "-c",
                        bootstrap.toString(),
                        "--base-id",
                        Integer.toString(node.index() + 1),
                        "--log-level",
                        "warn"));
        Path log = dir.resolve(node.name() + "-envoy.log");
        return new EnvoyNode(ChildProcess.start(
                "envoy of " + node.name(),
                new ProcessBuilder(argv)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))));
    }

    @Override
    public void close() {
        process.close();
    }
}
