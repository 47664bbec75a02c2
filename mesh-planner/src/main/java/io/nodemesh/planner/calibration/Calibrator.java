package io.nodemesh.planner.calibration;

import io.nodemesh.netlab.CommandException;
import io.nodemesh.planner.ClusterShape;
import io.nodemesh.planner.Dataplane;
import io.nodemesh.planner.Encryption;
import io.nodemesh.planner.LinearCost;
import io.nodemesh.planner.LoadPoint;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.NetworkParameters;
import io.nodemesh.planner.PlanRequest;
import io.nodemesh.planner.Planner;
import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.ProgressListener;
import io.nodemesh.planner.TrafficPattern;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Calibrates the planner against this machine (needs root): builds a node of network namespaces, measures each hop
 * alone with pinned sockperf (loopback, pod→pod veth, pod→node veth, one HAProxy relay), fits the parameters, then
 * builds whole paths for real (sidecars in both pods, one node proxy, direct veth) and prints the simulator's
 * prediction next to each measurement. The socket-redirect hop is measured when a {@link RedirectPath} is given (the
 * CLI passes mesh-ebpf's) and available: both sockperf ends run in its cgroup, and each run must show the kernel
 * redirected it; otherwise its number comes from the base parameters and the row says why it is not measured. With
 * wireguard-go and wg installed it also measures one WireGuard crossing: a tunnel between two node namespaces against
 * the bare veth under it ({@link TunnelLab}).
 */
public final class Calibrator {
    private static final int SERVER_PORT = 5001;
    private static final int NODE_SERVER_PORT = 5002;
    private static final int SIDECAR_A_PORT = 15001;
    private static final int SIDECAR_B_PORT = 15006;
    private static final int NODE_PROXY_PORT = 15008;
    private static final int RELAY_PORT = 15010;
    private static final int REDIRECT_PORT = 5003;
    private static final int TUNNEL_SERVER_PORT = 5004;

    private final CalibrationOptions options;
    private final PlannerParameters base;
    private final RedirectPath redirect;
    private final List<Measurement> measurements = new ArrayList<>();

    private Calibrator(CalibrationOptions options, PlannerParameters base, RedirectPath redirect) {
        this.options = options;
        this.base = base;
        this.redirect = redirect;
    }

    /** Runs a calibration; {@code base} supplies everything not measured here (Istio's figures, the node-to-node wire). */
    public static CalibrationResult run(CalibrationOptions options, PlannerParameters base) {
        return run(options, base, null);
    }

    /**
     * Runs a calibration that also measures the socket-redirect hop through {@code redirect} (null, or unavailable:
     * the hop comes from {@code base} and the row says why).
     */
    public static CalibrationResult run(CalibrationOptions options, PlannerParameters base, RedirectPath redirect) {
        missingTool().ifPresent(why -> {
            throw new CalibrationException(why);
        });
        try {
            Files.createDirectories(options.workDir());
        } catch (IOException e) {
            throw new CalibrationException(
                    "cannot create work directory " + options.workDir() + ": " + e.getMessage(), e);
        }
        try {
            List<String> swept = NetnsLab.sweepStale(options.prefix());
            if (!swept.isEmpty()) options.log().accept("removed stale namespaces of crashed runs: " + swept);
            return new Calibrator(options, base, redirect).calibrate();
        } catch (CommandException e) {
            // The message already names the command, its exit code and stderr.
            throw new CalibrationException(e.getMessage(), e);
        }
    }

    private CalibrationResult calibrate() {
        NetnsLab lab = new NetnsLab(options.prefix());
        String whyNot = redirect == null
                ? "no redirect path given (the CLI passes the eBPF one unless --no-redirect)"
                : redirect.unavailability()
                        .map(r -> "eBPF backend unavailable: " + r)
                        .orElse(null);
        String tunnelWhyNot = TunnelLab.unavailability().orElse(null);
        // Closed in reverse: the daemons (some inside the redirect cgroup) end before the installation and its cgroup
        // go, and before the tunnel's namespaces.
        try (lab;
                TunnelLab tunnel = new TunnelLab(options.prefix(), options.workDir(), options.cpu());
                RedirectSession session = new RedirectSession();
                Daemons daemons = new Daemons(options.workDir(), options.cpu())) {
            lab.create();
            if (tunnelWhyNot == null) {
                tunnel.create();
                daemons.sockperfServer(tunnel.nodeB, "0.0.0.0", TUNNEL_SERVER_PORT);
                options.log()
                        .accept("WireGuard tunnel up: " + tunnel.nodeA + " <-> " + tunnel.nodeB + " (wireguard-go)");
            } else {
                options.log().accept("WireGuard hop not measured: " + tunnelWhyNot);
            }
            options.log()
                    .accept("namespaces " + lab.namespaces() + " up; measuring, " + options.secondsPerRun()
                            + " s per run, pinned to CPU " + options.cpu());
            if (whyNot == null) {
                session.installed = redirect.install(
                        options.prefix(),
                        List.of(
                                new RedirectPath.Pod("a", NetnsLab.POD_A_IP, "/var/run/netns/" + lab.podA),
                                new RedirectPath.Pod("b", NetnsLab.POD_B_IP, "/var/run/netns/" + lab.podB)));
                options.log()
                        .accept("socket redirect installed: " + session.installed.description() + ", cgroup "
                                + session.installed.cgroup());
                daemons.sockperfServer(lab.podB, session.installed.cgroup(), NetnsLab.POD_B_IP, REDIRECT_PORT);
            } else {
                options.log().accept("socket redirect not measured: " + whyNot);
            }
            daemons.sockperfServer(lab.podB, "0.0.0.0", SERVER_PORT);
            daemons.sockperfServer(lab.node, NetnsLab.NODE_IP, NODE_SERVER_PORT);
            daemons.haproxy(lab.podB, "relay", "127.0.0.1", RELAY_PORT, "127.0.0.1", SERVER_PORT);
            daemons.haproxy(lab.podB, "sidecar-b", NetnsLab.POD_B_IP, SIDECAR_B_PORT, "127.0.0.1", SERVER_PORT);
            daemons.haproxy(lab.podA, "sidecar-a", "127.0.0.1", SIDECAR_A_PORT, NetnsLab.POD_B_IP, SIDECAR_B_PORT);
            daemons.haproxy(lab.node, "node-proxy", NetnsLab.NODE_IP, NODE_PROXY_PORT, NetnsLab.POD_B_IP, SERVER_PORT);

            List<Integer> sizes = options.largeBytes() > 0
                    ? List.of(options.smallBytes(), options.largeBytes())
                    : List.of(options.smallBytes());
            double[][] hop = new double[7][sizes.size()];
            for (int i = 0; i < sizes.size(); i++) {
                int bytes = sizes.get(i);
                hop[0][i] = measure(
                        "loopback",
                        lab.podB,
                        "127.0.0.1",
                        SERVER_PORT,
                        bytes,
                        "client and server in pod b on 127.0.0.1");
                hop[1][i] = measure(
                        "podToPod",
                        lab.podA,
                        NetnsLab.POD_B_IP,
                        SERVER_PORT,
                        bytes,
                        "pod a -> pod b over veth + bridge");
                hop[2][i] = measure(
                        "podToNode",
                        lab.podA,
                        NetnsLab.NODE_IP,
                        NODE_SERVER_PORT,
                        bytes,
                        "pod a -> node namespace over veth");
                hop[3][i] = measure(
                        "relayPath",
                        lab.podB,
                        "127.0.0.1",
                        RELAY_PORT,
                        bytes,
                        "pod b: client -> HAProxy -> server, all on 127.0.0.1 (= 2 x loopback + relay)");
                if (session.installed != null) {
                    hop[4][i] = measureRedirected(
                            session.installed,
                            "redirect",
                            lab.podA,
                            bytes,
                            "pod a -> pod b, both in the eBPF cgroup: sk_msg redirect");
                }
                if (tunnelWhyNot == null) {
                    hop[5][i] = measure(
                            "underlay",
                            tunnel.nodeA,
                            TunnelLab.UNDERLAY_B,
                            TUNNEL_SERVER_PORT,
                            bytes,
                            "node a -> node b over one veth pair, no tunnel (the WireGuard hop's baseline)");
                    hop[6][i] = measure(
                            "wireguardPath",
                            tunnel.nodeA,
                            TunnelLab.TUNNEL_B,
                            TUNNEL_SERVER_PORT,
                            bytes,
                            "node a -> node b through wireguard-go on both ends, over the same veth pair");
                }
            }
            PlannerParameters fitted = fit(sizes, hop, session.installed, tunnelWhyNot == null);

            int small = options.smallBytes();
            double sidecar = measure(
                    "sidecarPath",
                    lab.podA,
                    "127.0.0.1",
                    SIDECAR_A_PORT,
                    small,
                    "pod a -> HAProxy sidecar a -> veth -> HAProxy sidecar b -> pod b");
            double nodeProxy = measure(
                    "nodeProxyPath",
                    lab.podA,
                    NetnsLab.NODE_IP,
                    NODE_PROXY_PORT,
                    small,
                    "pod a -> HAProxy in the node namespace -> pod b");
            double direct = measure(
                    "directPath",
                    lab.podA,
                    NetnsLab.POD_B_IP,
                    SERVER_PORT,
                    small,
                    "pod a -> pod b over veth + bridge (a second, separate run)");
            double redirected = session.installed == null
                    ? Double.NaN
                    : measureRedirected(
                            session.installed,
                            "redirectPath",
                            lab.podA,
                            small,
                            "pod a -> pod b, sk_msg redirect (a second, separate run)");
            String redirectNote = session.installed != null
                    ? "hop measured alone is a calibration input: this checks the eBPF model and repeatability"
                    : "not measured (" + whyNot + "); hop from the parameter file: "
                            + base.network().socketRedirect().source();
            List<Comparison> comparisons = List.of(
                    compare(
                            fitted,
                            Dataplane.SIDECAR,
                            "sidecar: pod -> 2 HAProxy sidecars -> pod",
                            sidecar,
                            "predicted from loopback, veth and relay hops measured alone"),
                    compare(
                            fitted,
                            Dataplane.NODE_PROXY,
                            "node proxy: pod -> 1 HAProxy on the node -> pod",
                            nodeProxy,
                            "predicted from pod->node veth and relay hops measured alone"),
                    compare(
                            fitted,
                            null,
                            "direct veth: pod -> bridge -> pod",
                            direct,
                            "veth is a calibration input: this checks run-to-run repeatability"),
                    compare(fitted, Dataplane.EBPF, "eBPF socket redirect: pod -> pod", redirected, redirectNote));
            return new CalibrationResult(fitted, measurements, comparisons);
        }
    }

    /**
     * A ping-pong from pod a to the server in pod b, both inside the redirect cgroup, that must prove it was redirected:
     * while it runs the redirect map must hold both ends of the connection, and the sk_msg program must have run for
     * (nearly) every message sent each way — 1% slack for replies still in flight when the client stops; one direction
     * alone would give half. A run that took the veth path fails here instead of printing a veth number.
     */
    private double measureRedirected(RedirectPath.Installed r, String name, String clientNetns, int bytes, String how) {
        long before = r.messagesHandled();
        SocketWatch watch =
                SocketWatch.start(() -> r.socketsBetween(NetnsLab.POD_A_IP, NetnsLab.POD_B_IP, REDIRECT_PORT));
        Sockperf.PingPong run;
        try {
            run = Sockperf.pingPong(
                    clientNetns,
                    r.cgroup(),
                    options.cpu(),
                    NetnsLab.POD_B_IP,
                    REDIRECT_PORT,
                    bytes,
                    options.secondsPerRun());
        } finally {
            watch.stop();
        }
        long handled = r.messagesHandled() - before;
        if (watch.failure() != null) {
            throw new CalibrationException(
                    name + ": cannot read the redirect map: " + watch.failure().getMessage(), watch.failure());
        }
        long expected = (long) Math.floor(2 * run.sentMessages() * 0.99);
        if (watch.maxSockets() < 2 || run.sentMessages() == 0 || handled < expected) {
            throw new CalibrationException(String.format(
                    Locale.ROOT,
                    "%s at %d B was not redirected: the redirect map held at most %d"
                            + " socket(s) of the connection (2 expected) and sk_msg ran %d times for %d messages each way"
                            + " (at least %d expected); its p50 %.2f us is not used",
                    name,
                    bytes,
                    watch.maxSockets(),
                    handled,
                    run.sentMessages(),
                    expected,
                    run.p50Us()));
        }
        measurements.add(new Measurement(
                name,
                bytes,
                run.p50Us(),
                how
                        + String.format(
                                Locale.ROOT,
                                " (proof: %d sockets in the map, sk_msg ran %d times for %d messages)",
                                watch.maxSockets(),
                                handled,
                                run.sentMessages())));
        options.log()
                .accept(String.format(
                        Locale.ROOT,
                        "  %-13s %6d B  p50 %8.2f us  (redirected: sk_msg ran %d times)",
                        name,
                        bytes,
                        run.p50Us(),
                        handled));
        return run.p50Us();
    }

    private double measure(String name, String netns, String ip, int port, int bytes, String how) {
        double p50 = Sockperf.pingPongP50Us(netns, options.cpu(), ip, port, bytes, options.secondsPerRun());
        measurements.add(new Measurement(name, bytes, p50, how));
        options.log().accept(String.format(Locale.ROOT, "  %-13s %6d B  p50 %8.2f us", name, bytes, p50));
        return p50;
    }

    /**
     * Fits each hop's fixed cost and (with two sizes) its slope; the relay is the relay path minus two loopbacks, one
     * WireGuard crossing the tunnel path minus its underlay.
     */
    private PlannerParameters fit(
            List<Integer> sizes, double[][] hop, RedirectPath.Installed redirected, boolean tunnelled) {
        String when = "nodemesh calibrate " + Instant.now() + " (sockperf p50 pinned to CPU " + options.cpu() + ")";
        NetworkParameters n = base.network();
        LinearCost loopback = line(sizes, hop[0], n.loopback(), "measured: " + when + ", 127.0.0.1 in a pod");
        LinearCost podToPod =
                line(sizes, hop[1], n.podToPod(), "measured: " + when + ", veth + bridge between two pods");
        LinearCost podToNode = line(sizes, hop[2], n.podToNode(), "measured: " + when + ", pod -> node namespace");
        double[] relay = new double[sizes.size()];
        for (int i = 0; i < sizes.size(); i++) relay[i] = Math.max(0.05, hop[3][i] - 2 * hop[0][i]);
        LinearCost relayCost = line(
                sizes,
                relay,
                base.sidecar().relay(),
                "measured: " + when + ", HAProxy TCP relay = relay path - 2 x loopback");
        LinearCost socketRedirect = redirected == null
                ? n.socketRedirect()
                : line(
                        sizes,
                        hop[4],
                        n.socketRedirect(),
                        "measured: " + when + ", " + redirected.description()
                                + " between two pods (redirect proven per run)");
        LinearCost wireguard = n.wireguard();
        if (tunnelled) {
            double[] crossing = new double[sizes.size()];
            for (int i = 0; i < sizes.size(); i++) crossing[i] = Math.max(0.05, hop[6][i] - hop[5][i]);
            wireguard = line(
                    sizes,
                    crossing,
                    n.wireguard(),
                    "measured: " + when + ", wireguard-go tunnel path - its underlay veth (encrypt + decrypt)");
        }
        NetworkParameters net =
                new NetworkParameters(loopback, podToPod, podToNode, n.nodeToNode(), socketRedirect, wireguard);
        return base.withNetwork(net)
                .withProxies(
                        base.sidecar().withRelay(relayCost), base.nodeProxy().withRelay(relayCost))
                .withDescription("calibrated on " + hostName() + " at " + Instant.now()
                        + ": network hops" + (redirected == null ? "" : ", socket redirect")
                        + (tunnelled ? ", WireGuard crossing" : "")
                        + " and proxy relay measured, the rest from " + base.description());
    }

    private static LinearCost line(List<Integer> sizes, double[] v, LinearCost old, String source) {
        if (sizes.size() == 1) {
            double fixed = Math.max(0, v[0] - old.perKbUs() * sizes.get(0) / 1024.0);
            return new LinearCost(round(fixed), old.perKbUs(), source + "; slope kept: " + old.source());
        }
        double kb = (sizes.get(1) - sizes.get(0)) / 1024.0;
        double slope = Math.max(0, (v[1] - v[0]) / kb);
        double fixed = Math.max(0, v[0] - slope * sizes.get(0) / 1024.0);
        return new LinearCost(
                round(fixed),
                round(slope),
                source + "; slope from " + sizes.get(0) + " and " + sizes.get(1) + " bytes");
    }

    /** Simulates one request stream pod a -> pod b on one node at a light load and takes half the round-trip p50. */
    private Comparison compare(PlannerParameters p, Dataplane dataplane, String path, double measured, String note) {
        double predicted;
        if (dataplane == null) {
            predicted = p.network().podToPod().us(options.smallBytes());
        } else {
            ClusterShape shape = ClusterShape.of(1, 2, 1);
            PlanRequest req = new PlanRequest(
                    shape,
                    List.of(new Model(dataplane, Encryption.NONE)),
                    List.of(1000.0),
                    options.smallBytes(),
                    20_000,
                    TrafficPattern.PAIR,
                    1);
            LoadPoint point =
                    new Planner(p).plan(req, ProgressListener.NONE).loads().getFirst();
            predicted = point.p50Us() / 2;
        }
        return new Comparison(path, predicted, measured, note);
    }

    private static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }

    private static String hostName() {
        String h = System.getenv("HOSTNAME");
        if (h != null && !h.isBlank()) return h;
        try {
            return Files.readString(java.nio.file.Path.of("/etc/hostname")).strip();
        } catch (IOException e) {
            return "this machine";
        }
    }

    /** What of the tools a calibration runs is not installed, if anything: the one list callers and tests check. */
    public static java.util.Optional<String> missingTool() {
        for (String binary : List.of("ip", "sockperf", "haproxy", "taskset", "ss")) {
            if (!Tools.onPath(binary)) {
                return java.util.Optional.of(
                        binary + " not found on PATH (Debian: iproute2, sockperf, haproxy, util-linux)");
            }
        }
        return java.util.Optional.empty();
    }
}
