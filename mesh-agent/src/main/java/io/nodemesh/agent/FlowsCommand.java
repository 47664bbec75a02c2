package io.nodemesh.agent;

import io.nodemesh.agent.http.FlowJson;
import io.nodemesh.api.FlowEvent;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nodemesh flows}: follows a running agent's flow stream, filtered, like {@code hubble observe}. */
@Command(
        name = "flows",
        mixinStandardHelpOptions = true,
        description =
                "Follow a running agent's flow events, filtered by source, destination, service, verdict or path.")
public final class FlowsCommand implements Callable<Integer> {
    @Option(
            names = "--agent",
            description = "The agent's --listen address (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9464")
    String agent;

    @Option(names = "--from", description = "Source: IP, ns/workload, workload name or identity.")
    String from;

    @Option(names = "--to", description = "Destination or backend chosen: IP, ns/workload, workload name or identity.")
    String to;

    @Option(names = "--service", description = "Service ns/name.")
    String service;

    @Option(names = "--verdict", description = "forwarded, dropped_policy, ... (case-insensitive).")
    String verdict;

    @Option(
            names = "--path",
            description = "socket_redirect, kernel_stack, node_proxy, encrypted_tunnel, none (case-insensitive).")
    String path;

    @Option(
            names = {"-n", "--count"},
            description = "Stop after this many events (default: follow until Ctrl-C).")
    Integer count;

    @Option(
            names = {"-o", "--output"},
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); json is one event per line.",
            defaultValue = "text")
    OutputFormat output;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
        FlowFilter filter;
        AgentClient client;
        try {
            filter = FlowFilter.of(from, to, service, verdict, path);
            client = new AgentClient(agent);
        } catch (IllegalArgumentException | AgentClient.AgentUnreachable e) {
            err.println(e.getMessage());
            return 2;
        }
        if (count != null && count <= 0) {
            err.println("--count must be at least 1, not " + count);
            return 2;
        }
        AtomicInteger shown = new AtomicInteger();
        try {
            client.followFlows(json -> {
                FlowEvent event = FlowJson.read(json);
                if (!filter.test(event)) return true;
                out.println(output == OutputFormat.json ? json : FlowPrinter.format(event));
                out.flush();
                return count == null || shown.incrementAndGet() < count;
            });
        } catch (AgentClient.AgentUnreachable | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        return 0;
    }
}
