package io.nodemesh.planner.internal;

import io.nodemesh.planner.Encryption;
import io.nodemesh.planner.Model;
import io.nodemesh.planner.NetworkParameters;
import io.nodemesh.planner.PlannerParameters;
import io.nodemesh.planner.ProxyParameters;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the {@link Route}s of a model from the parameters: the request direction is written out hop by hop (the
 * paths of the article's figures), the response retraces it.
 */
final class RouteBuilder {
    private final PlannerParameters p;
    private final Model model;
    private final int bytes;
    private final List<Long> delays = new ArrayList<>();
    private final List<Integer> roles = new ArrayList<>();
    private final List<Double> service = new ArrayList<>();
    private double pendingUs;

    private RouteBuilder(PlannerParameters p, Model model, int bytes) {
        this.p = p;
        this.model = model;
        this.bytes = bytes;
    }

    /** Index = {@code (crossNode ? 2 : 0) + (l7 ? 1 : 0)}. */
    static Route[] routes(PlannerParameters p, Model model, int bytes) {
        Route[] r = new Route[4];
        for (int cross = 0; cross < 2; cross++) {
            for (int l7 = 0; l7 < 2; l7++) {
                r[cross * 2 + l7] = new RouteBuilder(p, model, bytes).build(cross == 1, l7 == 1);
            }
        }
        return r;
    }

    static int index(boolean crossNode, boolean l7) {
        return (crossNode ? 2 : 0) + (l7 ? 1 : 0);
    }

    private Route build(boolean cross, boolean l7) {
        NetworkParameters n = p.network();
        boolean mtls = model.encryption() == Encryption.MTLS;
        switch (model.dataplane()) {
            case SIDECAR -> {
                // app -> lo -> client sidecar -> (veth/bridge | off node, wire, on node) -> server sidecar -> lo -> app
                delay(n.loopback().us(bytes));
                visit(Route.SRC_SIDECAR, p.sidecar(), l7, mtls);
                if (cross) crossNodes();
                else delay(n.podToPod().us(bytes));
                visit(Route.DST_SIDECAR, p.sidecar(), l7, mtls);
                delay(n.loopback().us(bytes));
            }
            case NODE_PROXY -> {
                // pod -> node proxy (-> wire -> peer node proxy) -> pod
                delay(n.podToNode().us(bytes));
                visit(Route.SRC_NODE, p.nodeProxy(), l7, mtls);
                if (cross) {
                    delay(n.nodeToNode().us(bytes) + wireguard());
                    visit(Route.DST_NODE, p.nodeProxy(), l7, mtls);
                }
                delay(n.podToNode().us(bytes));
            }
            case EBPF -> {
                if (l7) {
                    // L7 services are steered into the client node's proxy; the rest of the path is the kernel's.
                    delay(n.podToNode().us(bytes));
                    visit(Route.SRC_NODE, p.nodeProxy(), true, false);
                    if (cross) delay(n.nodeToNode().us(bytes) + wireguard());
                    delay(n.podToNode().us(bytes));
                } else if (cross) {
                    crossNodes();
                } else {
                    // sockops/sk_msg: the client socket's data lands in the server socket, no stack traversal.
                    delay(n.socketRedirect().us(bytes));
                }
            }
        }
        return roundTrip();
    }

    private void crossNodes() {
        NetworkParameters n = p.network();
        delay(n.podToNode().us(bytes)
                + n.nodeToNode().us(bytes)
                + wireguard()
                + n.podToNode().us(bytes));
    }

    private double wireguard() {
        return model.encryption() == Encryption.WIREGUARD
                ? p.network().wireguard().us(bytes)
                : 0;
    }

    private void delay(double us) {
        pendingUs += us;
    }

    private void visit(int role, ProxyParameters proxy, boolean l7, boolean mtls) {
        delays.add(Math.round(pendingUs * 1000));
        pendingUs = 0;
        roles.add(role);
        service.add(proxy.cpuUs(bytes, l7, mtls) * 1000);
    }

    /** Mirrors the request direction: the response visits the same proxies in reverse order. */
    private Route roundTrip() {
        long last = Math.round(pendingUs * 1000);
        int k = roles.size();
        int[] r = new int[2 * k];
        double[] s = new double[2 * k];
        long[] d = new long[2 * k + 1];
        for (int i = 0; i < k; i++) {
            r[i] = roles.get(i);
            r[2 * k - 1 - i] = roles.get(i);
            s[i] = service.get(i);
            s[2 * k - 1 - i] = service.get(i);
            d[i] = delays.get(i);
            d[2 * k - i] = delays.get(i);
        }
        d[k] = 2 * last;
        return new Route(r, d, s);
    }
}
