package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/** Finds every violation in a state; each names the offending object by key and the field by path. */
final class MeshStateValidator {
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    /** SPIFFE trust domain: lower-case letters, digits, '.', '-' and '_'. */
    /** A Kubernetes label value, which a zone is (topology.kubernetes.io/zone). */
    private static final Pattern ZONE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");

    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");

    private final MeshState state;
    /** A state known to be valid: a service that is the same object there need not be checked again. */
    private final MeshState previousValid;
    /** The previous state's services by identity, built only when positions have shifted. */
    private Set<Service> previousServices;

    private final List<Violation> violations = new ArrayList<>();
    private final FieldRules rules = new FieldRules(violations);
    private final ResilienceRules resilience = new ResilienceRules(rules);
    private final Set<String> identities = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Set<String> workloadKeys = new HashSet<>();
    /** Services by key (first wins), built on first use: the fast path needs it only when policies or routes look up. */
    private Map<String, Service> services;
    /** Whether to try {@link #servicesUnchangedButFew()}; off in the full run that a fast-path violation falls back to. */
    private final boolean fastPath;

    private boolean usedFastPath;
    private final Map<String, String> workloadIps = new HashMap<>();
    /** Each node's valid pod CIDRs, for the rule that a workload's addresses lie inside its node's. */
    private final Map<String, List<IpAddresses.Cidr>> podCidrsByNode = new HashMap<>();

    MeshStateValidator(MeshState state) {
        this(state, MeshState.EMPTY);
    }

    /**
     * A validator that trusts what {@code previousValid} proved: a service that is the very same object there is not
     * re-checked field by field, as long as the workloads it may refer to are unchanged. Checks across objects (VIP
     * collisions, duplicates, references) always run.
     */
    MeshStateValidator(MeshState state, MeshState previousValid) {
        this(state, previousValid, true);
    }

    private MeshStateValidator(MeshState state, MeshState previousValid, boolean fastPath) {
        this.state = state;
        this.previousValid = previousValid.workloads().equals(state.workloads()) ? previousValid : MeshState.EMPTY;
        this.fastPath = fastPath && this.previousValid != MeshState.EMPTY;
    }

    List<Violation> validate() {
        nodes();
        workloads();
        services();
        policies();
        new RouteRules(state, this::servicesByKey, rules).check();
        encryption();
        // The fast path only proves a state valid; what is wrong, and in which order, is the full algorithm's to say.
        if (usedFastPath && !violations.isEmpty())
            return new MeshStateValidator(state, previousValid, false).validate();
        return List.copyOf(violations);
    }

    private void nodes() {
        List<IpAddresses.Cidr> seen = new ArrayList<>();
        List<String> seenOwners = new ArrayList<>();
        for (int i = 0; i < state.nodes().size(); i++) {
            Node n = state.nodes().get(i);
            String at = "nodes[" + (n.name() == null || n.name().isEmpty() ? i : n.name()) + "]";
            if (n.name() == null || !NODE_NAME.matcher(n.name()).matches()) {
                add(
                        at + ".name",
                        "'" + n.name() + "' is not a valid node name (lower-case letters, digits, '-' and '.')");
            } else if (!nodeNames.add(n.name())) {
                add(at + ".name", "duplicate node name '" + n.name() + "'");
            }
            for (int a = 0; a < n.addresses().size(); a++) {
                rules.ip(at + ".addresses[" + a + "]", n.addresses().get(a));
            }
            for (int c = 0; c < n.podCidrs().size(); c++) {
                String path = at + ".podCidrs[" + c + "]";
                var cidr = IpAddresses.parseCidr(n.podCidrs().get(c));
                if (cidr.isEmpty()) {
                    add(path, "'" + n.podCidrs().get(c) + "' is not a CIDR such as 10.1.0.0/24");
                    continue;
                }
                for (int s = 0; s < seen.size(); s++) {
                    // Objects.equals: a node without a name must not turn an overlap into a NullPointerException.
                    if (seen.get(s).overlaps(cidr.get()) && !Objects.equals(seenOwners.get(s), n.name())) {
                        add(path, n.podCidrs().get(c) + " overlaps the pod CIDR of node " + seenOwners.get(s));
                    }
                }
                seen.add(cidr.get());
                seenOwners.add(n.name());
                if (n.name() != null)
                    podCidrsByNode
                            .computeIfAbsent(n.name(), k -> new ArrayList<>())
                            .add(cidr.get());
            }
            if (!n.wireguardPublicKey().isEmpty() && !FieldRules.isWireguardKey(n.wireguardPublicKey())) {
                add(at + ".wireguardPublicKey", "not a WireGuard key: expected 32 bytes in base64 (44 characters)");
            }
            if (!ZONE.matcher(n.zone()).matches()) {
                add(
                        at + ".zone",
                        "'" + n.zone() + "' is not a zone name (a label value: up to 63 letters, digits, '-', '_' and"
                                + " '.', starting and ending with a letter or digit)");
            }
        }
    }

    private void workloads() {
        Map<String, String> ipOwners = new HashMap<>();
        for (int i = 0; i < state.workloads().size(); i++) {
            Workload w = state.workloads().get(i);
            String at = "workloads[" + FieldRules.keyOr(w.namespace(), w.name(), i) + "]";
            rules.names(at, w.namespace(), w.name());
            if (!workloadKeys.add(w.key())) add(at, "duplicate workload " + w.key());
            if (w.node() == null || !nodeNames.contains(w.node())) {
                add(at + ".node", "unknown node '" + w.node() + "'");
            }
            if (w.ips().isEmpty()) add(at + ".ips", "a workload needs at least one IP");
            Set<String> own = new HashSet<>();
            for (int a = 0; a < w.ips().size(); a++) {
                String path = at + ".ips[" + a + "]";
                if (rules.ip(path, w.ips().get(a))) {
                    String canonical = IpAddresses.canonical(w.ips().get(a));
                    String previous = ipOwners.putIfAbsent(canonical, w.key());
                    if (!own.add(canonical)) {
                        add(path, "duplicate address " + w.ips().get(a));
                    } else if (previous != null && !previous.equals(w.key())) {
                        add(path, w.ips().get(a) + " is already the address of workload " + previous);
                    }
                    outsidePodCidrs(w, path, w.ips().get(a));
                }
            }
            if (!Identities.isSpiffeId(w.identity())) {
                add(
                        at + ".identity",
                        "'" + w.identity() + "' is not a SPIFFE id such as spiffe://cluster.local/ns/shop/sa/web");
            } else {
                reservedForNodes(at, w.identity());
                identities.add(w.identity());
            }
        }
        workloadIps.putAll(ipOwners);
    }

    /**
     * A workload's address must lie in one of its node's pod CIDRs when the node declares any of that address's family:
     * other nodes route (and WireGuard allows) only the node's pod CIDRs towards it, so any other address is unreachable.
     */
    private void outsidePodCidrs(Workload w, String path, String ip) {
        List<IpAddresses.Cidr> cidrs = podCidrsByNode.get(w.node());
        var address = IpAddresses.parse(ip);
        if (cidrs == null || address.isEmpty()) return;
        int length = address.get().getAddress().length;
        List<IpAddresses.Cidr> sameFamily = cidrs.stream()
                .filter(c -> c.network().getAddress().length == length)
                .toList();
        if (sameFamily.isEmpty() || sameFamily.stream().anyMatch(c -> c.contains(address.get()))) return;
        add(
                path,
                ip + " is outside the pod CIDRs of node " + w.node() + " ("
                        + String.join(
                                ", ",
                                sameFamily.stream()
                                        .map(c -> c.network().getHostAddress() + "/" + c.prefix())
                                        .toList())
                        + "): other nodes route and WireGuard allows only those towards it");
    }

    private void services() {
        if (fastPath && servicesUnchangedButFew()) {
            usedFastPath = true;
            return;
        }
        services = new HashMap<>();
        Map<String, String> vipOwners = new HashMap<>();
        for (int i = 0; i < state.services().size(); i++) {
            Service s = state.services().get(i);
            if (services.putIfAbsent(s.key(), s) != null) add(at(s, i), "duplicate service " + s.key());
            vips(s, i, vipOwners);
            // Identity, not equality: only the very object a valid state held is known to be valid.
            if (!knownValid(s, i)) serviceFields(s, at(s, i));
        }
    }

    /**
     * The common small change: as many services as before, the same key at every position, a few services replaced.
     * The previous validation proved the keys distinct and the unchanged services' VIPs distinct and no workload's
     * (the workloads are equal, see the constructor), so only the replaced services are checked: their own fields,
     * their VIPs among themselves and against workloads, and any VIP they did not have before against every other
     * service. Violations found here are only a signal: {@link #validate()} then reruns the full algorithm.
     *
     * @return false, having checked nothing, when the change is not of this shape
     */
    private boolean servicesUnchangedButFew() {
        List<Service> now = state.services(), before = previousValid.services();
        if (now.size() != before.size()) return false;
        List<Integer> replaced = new ArrayList<>();
        // A state made from the previous one by withService knows its replaced positions: no walk over every service.
        int[] known = ReplacedList.replacedSince(before, now);
        if (known != null) {
            for (int i : known) {
                if (now.get(i) == before.get(i)) continue;
                if (!Objects.equals(now.get(i).key(), before.get(i).key())) return false;
                replaced.add(i);
            }
        } else {
            for (int i = 0; i < now.size(); i++) {
                Service s = now.get(i), p = before.get(i);
                if (s == p) continue;
                if (!Objects.equals(s.key(), p.key())) return false;
                replaced.add(i);
            }
        }
        for (int i : replaced) {
            Service s = now.get(i);
            vips(s, i, new HashMap<>());
            serviceFields(s, at(s, i));
            Set<String> gained = canonicalVips(s);
            gained.removeAll(canonicalVips(before.get(i)));
            if (!gained.isEmpty()) vipsTakenElsewhere(i, gained);
        }
        return true;
    }

    /** A VIP new to service {@code index}: does any other service hold it? (Only a signal; see the caller.) */
    private void vipsTakenElsewhere(int index, Set<String> gained) {
        List<Service> now = state.services();
        for (int j = 0; j < now.size(); j++) {
            if (j == index) continue;
            for (String vip : now.get(j).vips()) {
                if (IpAddresses.isValid(vip) && gained.contains(IpAddresses.canonical(vip))) {
                    add(
                            at(now.get(index), index) + ".vips",
                            vip + " is already a VIP of service " + now.get(j).key());
                }
            }
        }
    }

    private static Set<String> canonicalVips(Service s) {
        Set<String> out = new HashSet<>();
        for (String vip : s.vips()) if (IpAddresses.isValid(vip)) out.add(IpAddresses.canonical(vip));
        return out;
    }

    /** Services by key, first one wins as in {@link #services()}; built here when the fast path skipped that. */
    private Map<String, Service> servicesByKey() {
        if (services == null) {
            services = new HashMap<>();
            for (Service s : state.services()) services.putIfAbsent(s.key(), s);
        }
        return services;
    }

    /** The checks that span services: every VIP belongs to one service and to no workload. */
    private void vips(Service s, int index, Map<String, String> vipOwners) {
        if (s.vips().isEmpty()) add(at(s, index) + ".vips", "a service needs at least one VIP");
        for (int v = 0; v < s.vips().size(); v++) {
            String vip = s.vips().get(v);
            if (!IpAddresses.isValid(vip)) {
                rules.ip(at(s, index) + ".vips[" + v + "]", vip);
                continue;
            }
            String canonical = IpAddresses.canonical(vip);
            String owner = vipOwners.putIfAbsent(canonical, s.key());
            if (owner != null && owner.equals(s.key())) {
                add(at(s, index) + ".vips[" + v + "]", "duplicate VIP " + vip);
            } else if (owner != null) {
                add(at(s, index) + ".vips[" + v + "]", vip + " is already a VIP of service " + owner);
            }
            if (workloadIps.containsKey(canonical)) {
                add(
                        at(s, index) + ".vips[" + v + "]",
                        vip + " is the address of workload " + workloadIps.get(canonical));
            }
        }
    }

    /** The checks of one service's own fields. */
    private void serviceFields(Service s, String at) {
        rules.names(at, s.namespace(), s.name());
        if (s.ports().isEmpty()) add(at + ".ports", "a service needs at least one port");
        Set<String> portKeys = new HashSet<>();
        for (int p = 0; p < s.ports().size(); p++) {
            ServicePort port = s.ports().get(p);
            String path = at + ".ports[" + p + "]";
            rules.portRange(path + ".port", port.port());
            rules.portRange(path + ".targetPort", port.targetPort());
            if (!portKeys.add(port.port() + "/" + port.protocol())) {
                add(path + ".port", "duplicate port " + port.port() + "/" + port.protocol());
            }
            if (s.l7() && port.protocol() != Protocol.TCP)
                add(path + ".protocol", "an L7 service is HTTP over TCP, not " + port.protocol());
            if (port.protocol() != Protocol.TCP && port.appProtocol() != AppProtocol.TCP)
                add(path + ".appProtocol", port.appProtocol() + " runs over TCP, not " + port.protocol());
        }
        if (!s.endpoints().isEmpty() && !s.selector().isEmpty()) {
            add(at + ".selector", "give either endpoints or a selector, not both");
        }
        Set<String> endpointIps = new HashSet<>();
        for (int e = 0; e < s.endpoints().size(); e++) {
            Endpoint ep = s.endpoints().get(e);
            // Paths are built only for violations: a large state has hundreds of thousands of valid endpoints.
            if (!IpAddresses.isValid(ep.ip())) {
                rules.ip(at + ".endpoints[" + e + "].ip", ep.ip());
            } else if (!endpointIps.add(IpAddresses.canonical(ep.ip()))) {
                add(at + ".endpoints[" + e + "].ip", "duplicate endpoint " + ep.ip());
            }
            if (!ep.workload().isEmpty() && !workloadKeys.contains(ep.workload())) {
                add(at + ".endpoints[" + e + "].workload", "unknown workload '" + ep.workload() + "'");
            }
        }
        if (s.affinity().timeout().isNegative()) add(at + ".affinity.timeout", "must not be negative");
        if (s.resilience() != Resilience.NONE) resilience.check(s, at);
    }

    private boolean knownValid(Service s, int index) {
        List<Service> before = previousValid.services();
        if (index < before.size() && before.get(index) == s) return true; // the common case: same position
        if (previousServices == null) {
            previousServices = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            previousServices.addAll(before);
        }
        return previousServices.contains(s);
    }

    private static String at(Service s, int index) {
        return "services[" + FieldRules.keyOr(s.namespace(), s.name(), index) + "]";
    }

    private void policies() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < state.policies().size(); i++) {
            Policy p = state.policies().get(i);
            String at = "policies[" + FieldRules.keyOr(p.namespace(), p.name(), i) + "]";
            rules.names(at, p.namespace(), p.name());
            if (!keys.add(p.key())) add(at, "duplicate policy " + p.key());
            for (int s = 0; s < p.sources().size(); s++) {
                String id = p.sources().get(s);
                if (!id.equals(Identities.HOST) && !id.equals(Identities.ANY) && !identities.contains(id)) {
                    add(
                            at + ".sources[" + s + "]",
                            "unknown identity '" + id + "' (no workload has it; use 'host' for node processes)");
                }
            }
            for (int d = 0; d < p.destinations().size(); d++) {
                if (!identities.contains(p.destinations().get(d))) {
                    add(
                            at + ".destinations[" + d + "]",
                            "unknown identity '" + p.destinations().get(d) + "'");
                }
            }
            for (int s = 0; s < p.services().size(); s++) {
                Service target = servicesByKey().get(p.services().get(s));
                if (target == null) {
                    add(
                            at + ".services[" + s + "]",
                            "unknown service '" + p.services().get(s) + "'");
                } else if (!p.http().isEmpty() && !target.l7()) {
                    // HTTP conditions are checked by the node proxy, which only sees the traffic of L7 services.
                    add(
                            at + ".services[" + s + "]",
                            "service " + target.key()
                                    + " is not marked l7, so no proxy could check this policy's http conditions");
                }
            }
            for (int n = 0; n < p.ports().size(); n++)
                rules.portRange(at + ".ports[" + n + "]", p.ports().get(n));
            for (int h = 0; h < p.http().size(); h++)
                rules.httpMatch(at + ".http[" + h + "]", p.http().get(h));
        }
    }

    /**
     * {@code spiffe://<trust domain>/nodemesh/} names the mesh's own parts (the Envoy backend's xDS server and the
     * nodes' xDS clients); a workload holding such an identity could pass for a node and fetch that node's secrets.
     */
    private void reservedForNodes(String at, String identity) {
        String reserved = "spiffe://" + state.encryption().trustDomain() + "/nodemesh/";
        if (identity.startsWith(reserved)) {
            add(
                    at + ".identity",
                    "'" + identity + "' is under " + reserved + ", which is reserved for nodemesh's node identities;"
                            + " give the workload another path, such as spiffe://"
                            + state.encryption().trustDomain() + "/ns/<namespace>/sa/<service account>");
        }
    }

    private void encryption() {
        String td = state.encryption().trustDomain();
        if (!TRUST_DOMAIN.matcher(td).matches()) {
            add(
                    "encryption.trustDomain",
                    "'" + td + "' is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_')");
        }
    }

    private void add(String path, String reason) {
        violations.add(new Violation(path, reason));
    }
}
