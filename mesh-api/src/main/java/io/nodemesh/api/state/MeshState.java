package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The whole mesh, cluster-wide, as one immutable value: every backend is told this and makes it so.
 * Build one with {@link #builder()}, check it with {@link #validate()}.
 */
public record MeshState(
        List<Node> nodes,
        List<Workload> workloads,
        List<Service> services,
        List<Policy> policies,
        List<HttpRoute> routes,
        EncryptionSpec encryption) {
    public static final MeshState EMPTY =
            new MeshState(List.of(), List.of(), List.of(), List.of(), List.of(), EncryptionSpec.NONE);

    public MeshState {
        nodes = Lists.copy(nodes);
        workloads = Lists.copy(workloads);
        services = Lists.copy(services);
        policies = Lists.copy(policies);
        routes = Lists.copy(routes);
        encryption = encryption == null ? EncryptionSpec.NONE : encryption;
    }

    /**
     * Every violation in this state, each naming the offending object and field; empty when the state is valid.
     * Validation never stops at the first problem.
     */
    public List<Violation> validate() {
        return new MeshStateValidator(this).validate();
    }

    /**
     * The same violations as {@link #validate()}, faster for a small change: services that are the very same objects as
     * in {@code previousValid} — a state that passed validation — are not re-checked field by field (when the workloads
     * are unchanged). Checks across objects always run. Backends pass the state they last applied.
     */
    public List<Violation> validate(MeshState previousValid) {
        return new MeshStateValidator(this, previousValid).validate();
    }

    /**
     * Lookups and the reference semantics (endpoint resolution, policy) over this state, built anew: keep the result
     * rather than calling this again, or use {@link MeshIndex#of(MeshState, MeshIndex)} to build on an earlier index.
     */
    public MeshIndex index() {
        return MeshIndex.of(this);
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.nodes.addAll(nodes);
        b.workloads.addAll(workloads);
        b.services.addAll(services);
        b.policies.addAll(policies);
        b.routes.addAll(routes);
        b.encryption = encryption;
        return b;
    }

    /**
     * Replaces the service with {@code key} by {@code change} applied to it. The new state remembers which position
     * changed, so a backend holding this state can find it without comparing every service
     * ({@link #servicesReplacedSince}).
     */
    public MeshState withService(String key, UnaryOperator<Service> change) {
        int[] positions = new int[4];
        int n = 0;
        for (int i = 0; i < services.size(); i++) {
            Service s = services.get(i);
            if (ObjectKey.matches(key, s.namespace(), s.name())) {
                if (n == positions.length) positions = java.util.Arrays.copyOf(positions, 2 * n);
                positions[n++] = i;
            }
        }
        if (n == 0) return this;
        return new MeshState(
                nodes,
                workloads,
                ReplacedList.replacing(services, java.util.Arrays.copyOf(positions, n), change),
                policies,
                routes,
                encryption);
    }

    /**
     * The positions of the services that may differ from {@code earlier}'s, sorted, when this state was made from
     * {@code earlier} by {@link #withService} (once or a few times over): every other position holds the very same
     * {@code Service} object, and the two lists have the same size. Empty when that is not known (the state was built
     * otherwise, or too many steps ago): compare the lists then. Backends use it to make a small change cost O(changed).
     */
    public java.util.Optional<List<Integer>> servicesReplacedSince(MeshState earlier) {
        int[] positions = ReplacedList.replacedSince(earlier.services, services);
        return positions == null
                ? java.util.Optional.empty()
                : java.util.Optional.of(
                        java.util.Arrays.stream(positions).boxed().toList());
    }

    public static final class Builder {
        private final List<Node> nodes = new ArrayList<>();
        private final List<Workload> workloads = new ArrayList<>();
        private final List<Service> services = new ArrayList<>();
        private final List<Policy> policies = new ArrayList<>();
        private final List<HttpRoute> routes = new ArrayList<>();
        private EncryptionSpec encryption = EncryptionSpec.NONE;

        private Builder() {}

        public Builder node(Node node) {
            nodes.add(node);
            return this;
        }

        public Builder workload(Workload workload) {
            workloads.add(workload);
            return this;
        }

        public Builder service(Service service) {
            services.add(service);
            return this;
        }

        public Builder policy(Policy policy) {
            policies.add(policy);
            return this;
        }

        public Builder route(HttpRoute route) {
            routes.add(route);
            return this;
        }

        public Builder encryption(EncryptionSpec spec) {
            encryption = spec;
            return this;
        }

        public Builder removeService(String key) {
            services.removeIf(s -> s.key().equals(key));
            return this;
        }

        public Builder removePolicy(String key) {
            policies.removeIf(p -> p.key().equals(key));
            return this;
        }

        public MeshState build() {
            return new MeshState(nodes, workloads, services, policies, routes, encryption);
        }
    }
}
