package io.nodemesh.examples.embedding;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowStats;
import io.nodemesh.api.Flows;
import io.nodemesh.api.Verdict;
import io.nodemesh.sim.ConnectResult;
import io.nodemesh.sim.DatagramResult;
import io.nodemesh.sim.HttpRequest;
import io.nodemesh.sim.RequestResult;
import io.nodemesh.sim.SimConnection;
import io.nodemesh.sim.SimulatedDataplane;
import io.nodemesh.sim.Source;
import io.nodemesh.sim.UdpSocket;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Shows: embedding the simulator in a test harness. Apply a {@code MeshState}, drive TCP connections, UDP datagrams
 * and HTTP requests from pods and host processes, and read back what happened — the results of each call, the flow
 * events (delivered on the calling thread before the call returns, so a test needs no waiting) and the counters.
 * Everything is seeded and on a virtual clock: run it twice and it prints the same thing.
 * <p>
 * Run: {@code java -cp <examples + deps> io.nodemesh.examples.embedding.EmbeddedSimulatorExample [seed]}
 */
public final class EmbeddedSimulatorExample {
    private EmbeddedSimulatorExample() {}

    /** What a run saw, for a test to check. */
    public record Outcome(
            Map<String, Integer> cartBackends,
            Map<String, Integer> apiVersions,
            Verdict batchToCart,
            Verdict udpVerdict,
            List<FlowEvent> flows,
            FlowStats stats) {}

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 42;
        run(seed, System.out);
    }

    public static Outcome run(long seed, PrintStream out) {
        List<FlowEvent> flows = new ArrayList<>();
        try (SimulatedDataplane sim = SimulatedDataplane.seeded(seed);
                Flows.Subscription ignored = sim.flows().subscribe(flows::add)) {
            sim.apply(ExampleMesh.builder().build());
            Source frontend = Source.workload("shop/frontend");

            // TCP: 100 connections to the cart VIP, each with one 512-byte send.
            Map<String, Integer> cart = new TreeMap<>();
            for (int i = 0; i < 100; i++) {
                ConnectResult r = sim.connect(frontend, ExampleMesh.CART_VIP, 80);
                SimConnection c = r.connection();
                sim.send(c, 512);
                sim.close(c);
                cart.merge(c.backend().workload() + " via " + c.path(), 1, Integer::sum);
            }
            // The deny: batch never reaches cart, and the refusal says why.
            ConnectResult denied = sim.connect(Source.workload("shop/batch"), ExampleMesh.CART_VIP, 80);
            Verdict batchToCart = denied instanceof ConnectResult.Refused(Verdict v, String reason)
                    ? report(out, v, reason)
                    : Verdict.FORWARDED;

            // HTTP through the node proxy: /api is split 80:20 between v1 and v2 by the route.
            Map<String, Integer> api = new TreeMap<>();
            for (int i = 0; i < 200; i++) {
                if (sim.request(frontend, ExampleMesh.WEB_VIP, 80, HttpRequest.get("/api/cart"))
                        instanceof RequestResult.Routed r) {
                    api.merge(r.service(), 1, Integer::sum);
                }
            }

            // UDP: a connected socket from a host process; the reply comes from the VIP, never the pod.
            UdpSocket dns = sim.connectUdp(Source.host("node-a"), ExampleMesh.DNS_VIP, 53);
            DatagramResult answer = sim.send(dns, 64);
            sim.close(dns);
            Verdict udp = answer instanceof DatagramResult.Delivered d
                    ? printReply(out, d)
                    : ((DatagramResult.Dropped) answer).verdict();

            sim.advance(Duration.ofMinutes(1)); // virtual time: nothing sleeps

            out.println("cart connections by backend and path: " + cart);
            out.println("/api requests by service:             " + api);
            FlowStats stats = sim.flows().stats();
            out.println("flow events: " + flows.size() + " (by verdict " + new TreeMap<>(stats.byVerdict()) + ")");
            out.println("last event:  " + flows.getLast());
            return new Outcome(cart, api, batchToCart, udp, List.copyOf(flows), stats);
        }
    }

    private static Verdict report(PrintStream out, Verdict verdict, String reason) {
        out.println("batch -> cart refused: " + verdict + " (" + reason + ")");
        return verdict;
    }

    private static Verdict printReply(PrintStream out, DatagramResult.Delivered d) {
        out.println("dns datagram went to " + d.backend().workload() + " port "
                + d.backend().port() + "; the reply comes from " + d.replyFrom().ip() + ":"
                + d.replyFrom().port());
        return Verdict.FORWARDED;
    }
}
