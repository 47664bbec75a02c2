package io.nodemesh.agent;

import io.nodemesh.agent.http.AgentStatus;
import io.nodemesh.agent.http.StatusJson;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code nodemesh status}: what a running agent serves, asked over its {@code /status} endpoint. */
@Command(
        name = "status",
        mixinStandardHelpOptions = true,
        description = "Show a running agent's backends, readiness, applied state, last apply and each backend's health"
                + " (exit 3: not ready; 4: ready, but a backend reports a problem).")
public final class StatusCommand implements Callable<Integer> {
    @Option(
            names = "--agent",
            description = "The agent's --listen address (default: ${DEFAULT-VALUE}).",
            defaultValue = "127.0.0.1:9464")
    String agent;

    @Option(
            names = {"-o", "--output"},
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "text")
    OutputFormat output;

    /** Exit code when the agent is not ready. */
    static final int NOT_READY = 3;
    /** Exit code when it is ready but a backend reports a problem (a table nearly full, a NACK, a silent peer). */
    static final int UNHEALTHY = 4;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() {
        String body;
        AgentStatus status;
        try {
            body = new AgentClient(agent).get("status");
            status = StatusJson.read(body);
        } catch (AgentClient.AgentUnreachable | IllegalArgumentException e) {
            err.println(e.getMessage());
            return 1;
        }
        if (output == OutputFormat.json) out.print(body);
        else print(status);
        if (!status.ready()) return NOT_READY;
        return status.healthy() ? 0 : UNHEALTHY;
    }

    private void print(AgentStatus s) {
        out.println("node        " + s.node());
        out.println("dataplane   " + s.dataplane());
        out.println("ready       " + (s.ready() ? "yes" : "no"));
        s.problems().forEach(p -> out.println("  - " + p));
        out.println("capabilities");
        s.capabilities().entrySet().stream()
                .sorted(java.util.Map.Entry.comparingByKey())
                .forEach(e -> out.printf("  %-18s %s%n", e.getKey(), e.getValue()));
        AgentStatus.StateCounts c = s.state();
        out.printf(
                "state       %d services, %d endpoints, %d workloads, %d nodes, %d policies, %d routes%n",
                c.services(), c.endpoints(), c.workloads(), c.nodes(), c.policies(), c.routes());
        AgentStatus.LastApply a = s.lastApply();
        out.println(
                a == null
                        ? "last apply  none yet"
                        : String.format(
                                "last apply  generation %d at %s (%d changes, %.1f ms); %d applies in all",
                                a.generation(), a.at(), a.changes(), a.tookMillis(), s.appliesTotal()));
        AgentStatus.LastRefusal r = s.lastRefusal();
        if (r != null)
            out.println("last refusal " + r.at() + ": " + r.reason() + " (" + s.refusalsTotal() + " in all)");
        if (s.flowsLost() > 0) out.println("flows lost  " + s.flowsLost());
        s.backends().forEach(b -> BackendStatePrinter.print(out, b));
    }
}
