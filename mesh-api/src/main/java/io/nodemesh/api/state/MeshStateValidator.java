package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Finds every violation in a state; each names the offending object by key and the field by path. */
final class MeshStateValidator {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    /** SPIFFE trust domain: lower-case letters, digits, '.', '-' and '_'. */
    private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
    /** RFC 9110 token: what an HTTP method or header name may be made of. */
    private static final Pattern HTTP_TOKEN = Pattern.compile("[A-Za-z0-9!#$%&'*+.^_`|~-]+");

    private final MeshState state;
    /** A state known to be valid: a service that is the same object there need not be checked again. */
    private final MeshState previousValid;
    /** The previous state's services by identity, built only when positions have shifted. */
    private Set<Service> previousServices;
    private final List<Violation> violations = new ArrayList<>();
    private final Set<String> identities = new HashSet<>();
    private final Set<String> nodeNames = new HashSet<>();
    private final Set<String> workloadKeys = new HashSet<>();
    /** Services by key (first wins), built on first use: the fast path needs it only when policies or routes look up. */
    private Map<String, Service> services;
    /** Whether to try {@link #servicesUnchangedButFew()}; off in the full run that a fast-path violation falls back to. */
    private final boolean fastPath;
    private boolean usedFastPath;
    private final Map<String, String> workloadIps = new HashMap<>();

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
        routes();
        encryption();
        // The fast path only proves a state valid; what is wrong, and in which order, is the full algorithm's to say.
        if (usedFastPath && !violations.isEmpty()) return new MeshStateValidator(state, previousValid, false).validate();
        return List.copyOf(violations);
    }

    private void nodes() {
        List<IpAddresses.Cidr> seen = new ArrayList<>();
        List<String> seenOwners = new ArrayList<>();
        for (int i = 0; i < state.nodes().size(); i++) {
            Node n = state.nodes().get(i);
            String at = "nodes[" + (n.name() == null || n.name().isEmpty() ? i : n.name()) + "]";
            if (n.name() == null || !NODE_NAME.matcher(n.name()).matches()) {
                add(at + ".name", "'" + n.name() + "' is not a valid node name (lower-case letters, digits, '-' and '.')");
            } else if (!nodeNames.add(n.name())) {
                add(at + ".name", "duplicate node name '" + n.name() + "'");
            }
            for (int a = 0; a < n.addresses().size(); a++) {
                ip(at + ".addresses[" + a + "]", n.addresses().get(a));
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
            }
            if (!n.wireguardPublicKey().isEmpty() && !isWireguardKey(n.wireguardPublicKey())) {
                add(at + ".wireguardPublicKey", "not a WireGuard key: expected 32 bytes in base64 (44 characters)");
            }
        }
    }

    private void workloads() {
        Map<String, String> ipOwners = new HashMap<>();
        for (int i = 0; i < state.workloads().size(); i++) {
            Workload w = state.workloads().get(i);
            String at = "workloads[" + keyOr(w.namespace(), w.name(), i) + "]";
            names(at, w.namespace(), w.name());
            if (!workloadKeys.add(w.key())) add(at, "duplicate workload " + w.key());
            if (w.node() == null || !nodeNames.contains(w.node())) {
                add(at + ".node", "unknown node '" + w.node() + "'");
            }
            if (w.ips().isEmpty()) add(at + ".ips", "a workload needs at least one IP");
            Set<String> own = new HashSet<>();
            for (int a = 0; a < w.ips().size(); a++) {
                String path = at + ".ips[" + a + "]";
                if (ip(path, w.ips().get(a))) {
                    String canonical = IpAddresses.canonical(w.ips().get(a));
                    String previous = ipOwners.putIfAbsent(canonical, w.key());
                    if (!own.add(canonical)) {
                        add(path, "duplicate address " + w.ips().get(a));
                    } else if (previous != null && !previous.equals(w.key())) {
                        add(path, w.ips().get(a) + " is already the address of workload " + previous);
                    }
                }
            }
            if (!Identities.isSpiffeId(w.identity())) {
                add(at + ".identity", "'" + w.identity() + "' is not a SPIFFE id such as spiffe://cluster.local/ns/shop/sa/web");
            } else {
                identities.add(w.identity());
            }
        }
        workloadIps.putAll(ipOwners);
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
        for (int i = 0; i < now.size(); i++) {
            Service s = now.get(i), p = before.get(i);
            if (s == p) continue;
            if (!Objects.equals(s.key(), p.key())) return false;
            replaced.add(i);
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
                    add(at(now.get(index), index) + ".vips", vip + " is already a VIP of service " + now.get(j).key());
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
                ip(at(s, index) + ".vips[" + v + "]", vip);
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
                add(at(s, index) + ".vips[" + v + "]", vip + " is the address of workload " + workloadIps.get(canonical));
            }
        }
    }

    /** The checks of one service's own fields. */
    private void serviceFields(Service s, String at) {
        names(at, s.namespace(), s.name());
        if (s.ports().isEmpty()) add(at + ".ports", "a service needs at least one port");
        Set<String> portKeys = new HashSet<>();
        for (int p = 0; p < s.ports().size(); p++) {
            ServicePort port = s.ports().get(p);
            String path = at + ".ports[" + p + "]";
            portRange(path + ".port", port.port());
            portRange(path + ".targetPort", port.targetPort());
            if (!portKeys.add(port.port() + "/" + port.protocol())) {
                add(path + ".port", "duplicate port " + port.port() + "/" + port.protocol());
            }
            if (s.l7() && port.protocol() != Protocol.TCP) add(path + ".protocol", "an L7 service is HTTP over TCP, not " + port.protocol());
        }
        if (!s.endpoints().isEmpty() && !s.selector().isEmpty()) {
            add(at + ".selector", "give either endpoints or a selector, not both");
        }
        Set<String> endpointIps = new HashSet<>();
        for (int e = 0; e < s.endpoints().size(); e++) {
            Endpoint ep = s.endpoints().get(e);
            // Paths are built only for violations: a large state has hundreds of thousands of valid endpoints.
            if (!IpAddresses.isValid(ep.ip())) {
                ip(at + ".endpoints[" + e + "].ip", ep.ip());
            } else if (!endpointIps.add(IpAddresses.canonical(ep.ip()))) {
                add(at + ".endpoints[" + e + "].ip", "duplicate endpoint " + ep.ip());
            }
            if (!ep.workload().isEmpty() && !workloadKeys.contains(ep.workload())) {
                add(at + ".endpoints[" + e + "].workload", "unknown workload '" + ep.workload() + "'");
            }
        }
        if (s.affinity().timeout().isNegative()) add(at + ".affinity.timeout", "must not be negative");
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
        return "services[" + keyOr(s.namespace(), s.name(), index) + "]";
    }

    private void policies() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < state.policies().size(); i++) {
            Policy p = state.policies().get(i);
            String at = "policies[" + keyOr(p.namespace(), p.name(), i) + "]";
            names(at, p.namespace(), p.name());
            if (!keys.add(p.key())) add(at, "duplicate policy " + p.key());
            for (int s = 0; s < p.sources().size(); s++) {
                String id = p.sources().get(s);
                if (!id.equals(Identities.HOST) && !id.equals(Identities.ANY) && !identities.contains(id)) {
                    add(at + ".sources[" + s + "]", "unknown identity '" + id + "' (no workload has it; use 'host' for node processes)");
                }
            }
            for (int d = 0; d < p.destinations().size(); d++) {
                if (!identities.contains(p.destinations().get(d))) {
                    add(at + ".destinations[" + d + "]", "unknown identity '" + p.destinations().get(d) + "'");
                }
            }
            for (int s = 0; s < p.services().size(); s++) {
                Service target = servicesByKey().get(p.services().get(s));
                if (target == null) {
                    add(at + ".services[" + s + "]", "unknown service '" + p.services().get(s) + "'");
                } else if (!p.http().isEmpty() && !target.l7()) {
                    // HTTP conditions are checked by the node proxy, which only sees the traffic of L7 services.
                    add(at + ".services[" + s + "]", "service " + target.key()
                            + " is not marked l7, so no proxy could check this policy's http conditions");
                }
            }
            for (int n = 0; n < p.ports().size(); n++) portRange(at + ".ports[" + n + "]", p.ports().get(n));
            for (int h = 0; h < p.http().size(); h++) httpMatch(at + ".http[" + h + "]", p.http().get(h));
        }
    }

    private void routes() {
        Set<String> keys = new HashSet<>();
        for (int i = 0; i < state.routes().size(); i++) {
            HttpRoute r = state.routes().get(i);
            String at = "routes[" + keyOr(r.namespace(), r.name(), i) + "]";
            names(at, r.namespace(), r.name());
            if (!keys.add(r.key())) add(at, "duplicate route " + r.key());
            Service parent = servicesByKey().get(r.service());
            if (parent == null) {
                add(at + ".service", "unknown service '" + r.service() + "'");
            } else if (!parent.l7()) {
                add(at + ".service", "service " + r.service() + " is not marked l7, so no proxy sees its requests");
            }
            if (r.rules().isEmpty()) add(at + ".rules", "a route needs at least one rule");
            for (int j = 0; j < r.rules().size(); j++) {
                HttpRouteRule rule = r.rules().get(j);
                String rat = at + ".rules[" + j + "]";
                for (int m = 0; m < rule.matches().size(); m++) httpMatch(rat + ".matches[" + m + "]", rule.matches().get(m));
                if (rule.backends().isEmpty()) add(rat + ".backends", "a rule needs at least one backend");
                long total = 0;
                for (int b = 0; b < rule.backends().size(); b++) {
                    WeightedBackend wb = rule.backends().get(b);
                    String bat = rat + ".backends[" + b + "]";
                    if (!servicesByKey().containsKey(wb.service())) add(bat + ".service", "unknown service '" + wb.service() + "'");
                    if (wb.weight() < 0) add(bat + ".weight", wb.weight() + " is negative");
                    if (wb.port() != 0) backendPort(bat + ".port", wb);
                    total += Math.max(0, wb.weight());
                }
                if (!rule.backends().isEmpty() && total == 0) add(rat + ".backends", "weights add up to 0: no backend would get traffic");
                if (rule.timeout().isNegative()) add(rat + ".timeout", "must not be negative");
                if (rule.retries().attempts() < 0) add(rat + ".retries.attempts", rule.retries().attempts() + " is negative");
                if (rule.retries().perTryTimeout().isNegative()) add(rat + ".retries.perTryTimeout", "must not be negative");
                fault(rat + ".fault", rule.fault());
            }
        }
    }

    private void fault(String at, HttpFault f) {
        if (f.delay().isNegative()) add(at + ".delay", "must not be negative");
        percent(at + ".delayPercent", f.delayPercent());
        percent(at + ".abortPercent", f.abortPercent());
        // 0 is "no abort status" and only allowed while nothing is aborted; anything else must be a real HTTP status.
        if (f.abortStatus() != 0 || f.abortPercent() > 0) {
            if (f.abortStatus() < 200 || f.abortStatus() > 599) {
                add(at + ".abortStatus", f.abortStatus() + " is not an HTTP status to abort with (200..599)");
            }
        }
    }

    private void percent(String path, int value) {
        if (value < 0 || value > 100) add(path, value + " is not a percentage (0..100)");
    }

    private void backendPort(String path, WeightedBackend wb) {
        if (wb.port() < 1 || wb.port() > 65535) {
            portRange(path, wb.port());
            return;
        }
        Service target = servicesByKey().get(wb.service());
        if (target != null && target.ports().stream().noneMatch(p -> p.port() == wb.port())) {
            add(path, "service " + target.key() + " has no port " + wb.port() + " (it has "
                    + target.ports().stream().map(p -> String.valueOf(p.port())).distinct().toList() + ")");
        }
    }

    private void encryption() {
        String td = state.encryption().trustDomain();
        if (!TRUST_DOMAIN.matcher(td).matches()) {
            add("encryption.trustDomain", "'" + td + "' is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_')");
        }
    }

    private void httpMatch(String at, HttpMatch m) {
        PathMatch path = m.path();
        if (path.kind() == PathMatch.Kind.REGEX) {
            try {
                Pattern.compile(path.value());
                // Java accepts more than the RE2 engine Envoy uses; what RE2 rejects would fail in the proxy instead.
                Re2Syntax.unsupported(path.value()).ifPresent(construct -> add(at + ".path.value",
                        "uses " + construct + ", which the proxy's RE2 regular expressions do not support"));
            } catch (PatternSyntaxException e) {
                add(at + ".path.value", "invalid regular expression: " + e.getDescription());
            }
        } else if (!path.value().startsWith("/")) {
            add(at + ".path.value", "'" + path.value() + "' must start with '/'");
        }
        if (!m.method().isEmpty() && !HTTP_TOKEN.matcher(m.method()).matches()) {
            add(at + ".method", "'" + m.method() + "' is not an HTTP method");
        }
        for (String header : m.headers().keySet()) {
            if (!HTTP_TOKEN.matcher(header).matches()) {
                add(at + ".headers." + header, "'" + header + "' is not an HTTP header name");
            }
        }
    }

    private void names(String at, String namespace, String name) {
        if (namespace == null || !DNS_LABEL.matcher(namespace).matches()) {
            add(at + ".namespace", "'" + namespace + "' is not a DNS label (lower-case letters, digits and '-', at most 63)");
        }
        if (name == null || !DNS_LABEL.matcher(name).matches()) {
            add(at + ".name", "'" + name + "' is not a DNS label (lower-case letters, digits and '-', at most 63)");
        }
    }

    private boolean ip(String path, String value) {
        if (IpAddresses.isValid(value)) return true;
        add(path, "'" + value + "' is not an IPv4 or IPv6 address");
        return false;
    }

    private void portRange(String path, int port) {
        if (port < 1 || port > 65535) add(path, port + " is outside 1..65535");
    }

    private static boolean isWireguardKey(String key) {
        try {
            return key.length() == 44 && Base64.getDecoder().decode(key).length == 32;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String keyOr(String namespace, String name, int index) {
        return name == null || name.isEmpty() ? String.valueOf(index) : namespace + "/" + name;
    }

    private void add(String path, String reason) {
        violations.add(new Violation(path, reason));
    }
}
