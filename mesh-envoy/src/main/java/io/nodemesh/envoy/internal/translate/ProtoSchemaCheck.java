package io.nodemesh.envoy.internal.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.Descriptors.OneofDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC;
import io.envoyproxy.envoy.extensions.filters.http.router.v3.Router;
import io.envoyproxy.envoy.extensions.filters.listener.original_dst.v3.OriginalDst;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.load_balancing_policies.maglev.v3.Maglev;
import io.envoyproxy.envoy.extensions.load_balancing_policies.random.v3.Random;
import io.envoyproxy.envoy.extensions.load_balancing_policies.ring_hash.v3.RingHash;
import io.envoyproxy.envoy.extensions.load_balancing_policies.round_robin.v3.RoundRobin;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.Secret;
import io.envoyproxy.pgv.validate.Validate;
import io.nodemesh.api.state.Violation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks resources against Envoy's own schema: the protoc-gen-validate rules carried in the descriptors of Envoy's API
 * (required messages and oneofs, string lengths, number bounds, list sizes, defined enum values), descending into
 * {@code Any}-packed extension configs, whose type URLs must name a known message. These are the checks Envoy runs on
 * receipt; failing them here means a NACK that never happens.
 */
public final class ProtoSchemaCheck {
    private static final Map<String, Descriptor> KNOWN = known();

    private ProtoSchemaCheck() {}

    public static List<Violation> check(MeshResources r) {
        return check(r, null);
    }

    /**
     * As {@link #check(MeshResources)}, skipping resources equal to one in {@code knownGood} and adding those that pass:
     * an apply usually changes few resources, so only those are walked again.
     */
    public static List<Violation> check(MeshResources r, Set<Message> knownGood) {
        List<Violation> out = new ArrayList<>();
        r.clusters().forEach(c -> checkResource("clusters[" + c.getName() + "]", c, out, knownGood));
        r.endpoints().forEach(c -> checkResource("endpoints[" + c.getClusterName() + "]", c, out, knownGood));
        r.listeners().forEach(c -> checkResource("listeners[" + c.getName() + "]", c, out, knownGood));
        r.routes().forEach(c -> checkResource("routes[" + c.getName() + "]", c, out, knownGood));
        r.secrets().forEach(c -> checkResource("secrets[" + c.getName() + "]", c, out, knownGood));
        return out;
    }

    private static void checkResource(String at, Message m, List<Violation> out, Set<Message> knownGood) {
        if (knownGood != null && knownGood.contains(m)) return;
        int before = out.size();
        check(at, m, out);
        if (knownGood != null && out.size() == before) knownGood.add(m);
    }

    /** Every rule {@code message} breaks, each at its field path under {@code at}. */
    public static List<Violation> check(String at, Message message) {
        List<Violation> out = new ArrayList<>();
        check(at, message, out);
        return out;
    }

    private static void check(String at, Message m, List<Violation> out) {
        check(new Path(null, at), m, out, identitySet());
    }

    /**
     * As {@link #check(String, Message)}; {@code passed} (from {@link #identitySet()}, one per series of checks on one
     * thread) remembers sub-messages found clean, so objects shared between resources are walked once.
     */
    public static List<Violation> check(String at, Message message, Set<Message> passed) {
        List<Violation> out = new ArrayList<>();
        check(new Path(null, at), message, out, passed);
        return out;
    }

    public static Set<Message> identitySet() {
        return java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    /**
     * Where a value sits, built into a string only for a violation: a walk of 22,000 resources would otherwise build a
     * path string for every field it visits.
     */
    private record Path(Path parent, String segment) {
        Path field(String name) {
            return new Path(this, "." + name);
        }

        Path index(int i) {
            return new Path(this, "[" + i + "]");
        }

        @Override
        public String toString() {
            return parent == null ? segment : parent + segment;
        }
    }

    /**
     * What to look at in a message type: the fields that have rules, are repeated, or hold messages (scalar fields
     * without rules need nothing), and the oneofs that must be set. Made once per type from its descriptor.
     */
    private record Plan(List<OneofDescriptor> requiredOneofs, List<FieldPlan> fields) {}

    private record FieldPlan(FieldDescriptor field, Validate.FieldRules rules, boolean message, boolean hasRules) {}

    private static final Map<Descriptor, Plan> PLANS = new java.util.concurrent.ConcurrentHashMap<>();

    private static Plan plan(Descriptor d) {
        Plan p = PLANS.get(d);
        if (p != null) return p;
        List<OneofDescriptor> oneofs = d.getRealOneofs().stream()
                .filter(o -> o.getOptions().getExtension(Validate.required))
                .toList();
        List<FieldPlan> fields = new ArrayList<>();
        for (FieldDescriptor f : d.getFields()) {
            Validate.FieldRules rules = f.getOptions().getExtension(Validate.rules);
            boolean message = f.getJavaType() == FieldDescriptor.JavaType.MESSAGE;
            boolean hasRules = !rules.equals(Validate.FieldRules.getDefaultInstance());
            if (message || f.isRepeated() || hasRules) fields.add(new FieldPlan(f, rules, message, hasRules));
        }
        p = new Plan(oneofs, List.copyOf(fields));
        PLANS.put(d, p);
        return p;
    }

    /**
     * Checks {@code m}; {@code passed} holds packed configs already found clean in this walk, by identity: translations
     * share them (a load-balancing policy, an access logger) between thousands of resources.
     */
    private static void check(Path at, Message m, List<Violation> out, Set<Message> passed) {
        // Only packed configs are remembered: they are what resources share, and unpacking them is the costly part.
        if (!(m instanceof Any)) {
            walk(at, m, out, passed);
            return;
        }
        if (passed.contains(m)) return;
        int before = out.size();
        walk(at, m, out, passed);
        if (out.size() == before) passed.add(m);
    }

    private static void walk(Path at, Message m, List<Violation> out, Set<Message> passed) {
        if (m instanceof Any any) {
            String url = any.getTypeUrl();
            if (!url.startsWith("type.googleapis.com/")) {
                out.add(new Violation(at + ".type_url", "'" + url + "' does not start with type.googleapis.com/"));
                return;
            }
            String type = url.substring(url.lastIndexOf('/') + 1);
            Descriptor d = KNOWN.get(type);
            if (d == null) {
                out.add(new Violation(at + ".type_url", "unknown type " + type));
                return;
            }
            try {
                check(new Path(at, "(" + d.getName() + ")"), DynamicMessage.parseFrom(d, any.getValue()), out, passed);
            } catch (InvalidProtocolBufferException e) {
                out.add(new Violation(at.toString(), "does not parse as " + type + ": " + e.getMessage()));
            }
            return;
        }
        Plan plan = plan(m.getDescriptorForType());
        for (OneofDescriptor oneof : plan.requiredOneofs()) {
            if (!m.hasOneof(oneof)) {
                out.add(new Violation(
                        at + "." + oneof.getName(),
                        "one of "
                                + oneof.getFields().stream()
                                        .map(FieldDescriptor::getName)
                                        .toList() + " is required"));
            }
        }
        for (FieldPlan fp : plan.fields()) {
            FieldDescriptor f = fp.field();
            Validate.FieldRules rules = fp.rules();
            if (f.isRepeated()) {
                int n = m.getRepeatedFieldCount(f);
                if (rules.hasRepeated()
                        && rules.getRepeated().hasMinItems()
                        && n < rules.getRepeated().getMinItems()) {
                    out.add(new Violation(
                            at.field(f.getName()).toString(),
                            "needs at least " + rules.getRepeated().getMinItems() + " item(s), has " + n));
                }
                if (rules.hasMap()
                        && rules.getMap().hasMinPairs()
                        && n < rules.getMap().getMinPairs()) {
                    out.add(new Violation(
                            at.field(f.getName()).toString(),
                            "needs at least " + rules.getMap().getMinPairs() + " entries, has " + n));
                }
                boolean itemRules = rules.hasRepeated() && rules.getRepeated().hasItems();
                if (!itemRules && !fp.message()) continue;
                Path fat = at.field(f.getName());
                for (int i = 0; i < n; i++) {
                    Object v = m.getRepeatedField(f, i);
                    if (itemRules) scalar(fat.index(i), rules.getRepeated().getItems(), v, out);
                    if (v instanceof Message child) check(fat.index(i), child, out, passed);
                }
                continue;
            }
            boolean set = f.hasPresence() ? m.hasField(f) : true;
            // A oneof member's rules apply only when it is the member set (PGV semantics).
            if (!set && f.getRealContainingOneof() != null) continue;
            if (rules.hasMessage() && rules.getMessage().getRequired() && !set) {
                out.add(new Violation(at.field(f.getName()).toString(), "is required"));
                continue;
            }
            if (!set) continue;
            Object v = m.getField(f);
            if (fp.hasRules()) scalar(at.field(f.getName()), rules, v, out);
            if (v instanceof Message child) check(at.field(f.getName()), child, out, passed);
        }
    }

    /** Rules on one value: strings, numbers (also inside wrapper messages), enums. */
    private static void scalar(Path path, Validate.FieldRules rules, Object v, List<Violation> out) {
        if (v instanceof Message wrapper
                && wrapper.getDescriptorForType().getFile().getName().equals("google/protobuf/wrappers.proto")) {
            v = wrapper.getField(wrapper.getDescriptorForType().findFieldByName("value"));
        }
        if (rules.hasString() && v instanceof String s) {
            var r = rules.getString();
            if (r.hasMinLen() && s.codePointCount(0, s.length()) < r.getMinLen())
                out.add(new Violation(path.toString(), "must have at least " + r.getMinLen() + " character(s)"));
            if (r.hasMinBytes() && s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length < r.getMinBytes())
                out.add(new Violation(path.toString(), "must have at least " + r.getMinBytes() + " byte(s)"));
            if (r.hasMaxBytes() && s.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > r.getMaxBytes())
                out.add(new Violation(path.toString(), "must have at most " + r.getMaxBytes() + " bytes"));
            if (r.hasMaxLen() && s.codePointCount(0, s.length()) > r.getMaxLen())
                out.add(new Violation(path.toString(), "must have at most " + r.getMaxLen() + " characters"));
        }
        if (rules.hasUint32() && v instanceof Integer i) {
            long x = Integer.toUnsignedLong(i);
            var r = rules.getUint32();
            bounds(
                    path,
                    x,
                    r.hasGt() ? (Long) Integer.toUnsignedLong(r.getGt()) : null,
                    r.hasGte() ? (Long) Integer.toUnsignedLong(r.getGte()) : null,
                    r.hasLt() ? (Long) Integer.toUnsignedLong(r.getLt()) : null,
                    r.hasLte() ? (Long) Integer.toUnsignedLong(r.getLte()) : null,
                    out);
        }
        if (rules.hasInt32() && v instanceof Integer i) {
            var r = rules.getInt32();
            bounds(
                    path,
                    i,
                    r.hasGt() ? (long) r.getGt() : null,
                    r.hasGte() ? (long) r.getGte() : null,
                    r.hasLt() ? (long) r.getLt() : null,
                    r.hasLte() ? (long) r.getLte() : null,
                    out);
        }
        if (rules.hasInt64() && v instanceof Long l) {
            var r = rules.getInt64();
            bounds(
                    path,
                    l,
                    r.hasGt() ? r.getGt() : null,
                    r.hasGte() ? r.getGte() : null,
                    r.hasLt() ? r.getLt() : null,
                    r.hasLte() ? r.getLte() : null,
                    out);
        }
        if (rules.hasEnum()
                && rules.getEnum().getDefinedOnly()
                && v instanceof EnumValueDescriptor e
                && e.getIndex() < 0) {
            out.add(new Violation(
                    path.toString(),
                    "value " + e.getNumber() + " is not defined in "
                            + e.getType().getName()));
        }
        if (rules.hasDuration()
                && v instanceof Message dur
                && dur.getDescriptorForType().getFullName().equals("google.protobuf.Duration")) {
            long nanos = (Long) dur.getField(dur.getDescriptorForType().findFieldByName("seconds")) * 1_000_000_000L
                    + (Integer) dur.getField(dur.getDescriptorForType().findFieldByName("nanos"));
            var r = rules.getDuration();
            if (r.hasGt()
                    && nanos
                            <= r.getGt().getSeconds() * 1_000_000_000L
                                    + r.getGt().getNanos())
                out.add(new Violation(
                        path.toString(), "must be longer than " + r.getGt().getSeconds() + "s"));
            if (r.hasGte()
                    && nanos
                            < r.getGte().getSeconds() * 1_000_000_000L
                                    + r.getGte().getNanos())
                out.add(new Violation(
                        path.toString(), "must be at least " + r.getGte().getSeconds() + "s"));
        }
    }

    private static void bounds(Path path, long x, Long gt, Long gte, Long lt, Long lte, List<Violation> out) {
        if (gt != null && x <= gt) out.add(new Violation(path.toString(), x + " must be greater than " + gt));
        if (gte != null && x < gte) out.add(new Violation(path.toString(), x + " must be at least " + gte));
        if (lt != null && x >= lt) out.add(new Violation(path.toString(), x + " must be less than " + lt));
        if (lte != null && x > lte) out.add(new Violation(path.toString(), x + " must be at most " + lte));
    }

    /** Every message type reachable from the resources and extension configs nodemesh emits. */
    private static Map<String, Descriptor> known() {
        Map<String, Descriptor> map = new HashMap<>();
        Set<String> files = new HashSet<>();
        List<Descriptor> roots = List.of(
                Cluster.getDescriptor(),
                ClusterLoadAssignment.getDescriptor(),
                Listener.getDescriptor(),
                RouteConfiguration.getDescriptor(),
                Secret.getDescriptor(),
                HttpConnectionManager.getDescriptor(),
                Router.getDescriptor(),
                RBAC.getDescriptor(),
                io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault.getDescriptor(),
                OriginalDst.getDescriptor(),
                TcpProxy.getDescriptor(),
                DownstreamTlsContext.getDescriptor(),
                Random.getDescriptor(),
                RoundRobin.getDescriptor(),
                Maglev.getDescriptor(),
                RingHash.getDescriptor(),
                io.envoyproxy.envoy.config.bootstrap.v3.Bootstrap.getDescriptor(),
                io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions.getDescriptor(),
                io.envoyproxy.envoy.extensions.access_loggers.grpc.v3.HttpGrpcAccessLogConfig.getDescriptor());
        for (Descriptor d : roots) addFile(d.getFile(), files, map);
        return Map.copyOf(map);
    }

    private static void addFile(FileDescriptor f, Set<String> seen, Map<String, Descriptor> map) {
        if (!seen.add(f.getName())) return;
        for (Descriptor d : f.getMessageTypes()) addMessage(d, map);
        for (FileDescriptor dep : f.getDependencies()) addFile(dep, seen, map);
    }

    private static void addMessage(Descriptor d, Map<String, Descriptor> map) {
        map.put(d.getFullName(), d);
        d.getNestedTypes().forEach(n -> addMessage(n, map));
    }
}
