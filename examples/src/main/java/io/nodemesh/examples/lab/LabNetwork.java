package io.nodemesh.examples.lab;

import io.nodemesh.netlab.Addresses;
import io.nodemesh.netlab.Bridge;
import io.nodemesh.netlab.Links;
import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.Routes;
import io.nodemesh.netlab.VethPair;
import java.util.List;
import java.util.function.Consumer;

/**
 * The lab's wiring, nothing in the root namespace: an underlay namespace with bridge {@code br0} joining every node's
 * {@code eth0} (the demo's node addresses, a /24); in each node a bridge {@code pods} holding the gateway address of
 * its pod /16 and one veth per pod; in each node a plain route to every other node's pod CIDR over the underlay
 * (metric 1000): the cleartext path WireGuard's routes override and strict mode must block. IPv6 is off everywhere,
 * which keeps neighbour discovery off the underlay capture. Every namespace made is handed to {@code made} at once,
 * so a failure half-way leaves nothing the caller cannot remove.
 */
final class LabNetwork {
    static final String UNDERLAY_BRIDGE = "br0";

    private LabNetwork() {}

    static void build(String underlay, List<LabNode> nodes, List<LabPod> pods, Consumer<Netns> made) {
        Netns u = create(underlay, made);
        Bridge br = Bridge.create(u, UNDERLAY_BRIDGE);
        for (LabNode n : nodes) {
            Netns ns = create(n.netns(), made);
            String port = "e" + (n.index() + 1);
            VethPair.create(ns, "eth0", u, port);
            br.attach(port);
            Addresses.add(ns, "eth0", n.address() + "/24");
            Links.up(ns, "eth0");
            ns.execChecked("sysctl", "-qw", "net.ipv4.ip_forward=1");
            Bridge.create(ns, "pods");
            Addresses.add(ns, "pods", n.gateway() + "/16");
        }
        for (LabNode n : nodes) {
            for (LabNode other : nodes) {
                if (other != n) Routes.viaGateway(Netns.named(n.netns()), other.podCidr(), other.address(), 1000);
            }
        }
        for (LabPod p : pods) {
            Netns ns = create(p.netns(), made);
            Netns node = Netns.named(p.node().netns());
            VethPair.create(ns, "eth0", node, p.veth());
            new Bridge(node, "pods").attach(p.veth());
            Addresses.add(ns, "eth0", p.ip() + "/16");
            Links.up(ns, "eth0");
            Routes.viaGateway(ns, "default", p.node().gateway());
        }
    }

    private static Netns create(String name, Consumer<Netns> made) {
        Netns ns = Netns.create(name);
        made.accept(ns);
        ns.execChecked("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }
}
