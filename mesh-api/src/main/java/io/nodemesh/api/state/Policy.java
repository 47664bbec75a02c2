package io.nodemesh.api.state;

import java.util.ArrayList;
import java.util.List;

/**
 * An identity-based rule. A connection matches when its source identity is among {@code sources}, its destination
 * workload's identity is among {@code destinations} or it was addressed to one of {@code services}, and its destination
 * port is among {@code ports}. An empty list matches anything.
 * <p>
 * Semantics, the same on every backend: a matching DENY always wins; once any ALLOW policy <em>selects</em> a destination
 * (its destinations or services cover it), that destination is default-deny and takes only connections some ALLOW matches;
 * a destination no ALLOW selects takes everything not denied. The source identity of a process on a node outside every
 * workload is {@link Identities#HOST}.
 *
 * @param namespace    namespace
 * @param name         name, unique in its namespace
 * @param action       allow or deny
 * @param sources      source identities (SPIFFE ids or {@code host}); empty = any source
 * @param destinations destination identities; empty together with {@code services} = any destination
 * @param services     destination services ({@code namespace/name})
 * @param ports        destination ports (the backend's target port); empty = any
 * @param http         L7 conditions, enforced by the node proxy; empty = L4 only
 */
public record Policy(
        String namespace,
        String name,
        PolicyAction action,
        List<String> sources,
        List<String> destinations,
        List<String> services,
        List<Integer> ports,
        List<HttpMatch> http)
        implements NamespacedObject {
    public Policy {
        action = action == null ? PolicyAction.ALLOW : action;
        sources = Lists.copy(sources);
        destinations = Lists.copy(destinations);
        services = Lists.copy(services);
        ports = Lists.copy(ports);
        http = Lists.copy(http);
    }

    /** A policy that lets matching connections through; add its sources, destinations and ports to the builder. */
    public static Builder allow(String namespace, String name) {
        return new Builder(namespace, name, PolicyAction.ALLOW);
    }

    /** A policy that drops matching connections, whatever any ALLOW says. */
    public static Builder deny(String namespace, String name) {
        return new Builder(namespace, name, PolicyAction.DENY);
    }

    public Builder toBuilder() {
        Builder b = new Builder(namespace, name, action);
        b.sources.addAll(sources);
        b.destinations.addAll(destinations);
        b.services.addAll(services);
        b.ports.addAll(ports);
        b.http.addAll(http);
        return b;
    }

    /** Whether this policy's destination side covers a workload with {@code identity} reached through {@code service}. */
    public boolean selects(String identity, String service) {
        if (destinations.isEmpty() && services.isEmpty()) return true;
        return destinations.contains(identity) || (!service.isEmpty() && services.contains(service));
    }

    /** Whether this policy matches a whole connection. */
    public boolean matches(String sourceIdentity, String destinationIdentity, String service, int port) {
        return selects(destinationIdentity, service)
                && (sources.isEmpty() || sources.contains(sourceIdentity) || sources.contains(Identities.ANY))
                && (ports.isEmpty() || ports.contains(port));
    }

    /** Collects a policy's conditions; every list left empty matches anything. */
    public static final class Builder {
        private final String namespace;
        private final String name;
        private final PolicyAction action;
        private final List<String> sources = new ArrayList<>();
        private final List<String> destinations = new ArrayList<>();
        private final List<String> services = new ArrayList<>();
        private final List<Integer> ports = new ArrayList<>();
        private final List<HttpMatch> http = new ArrayList<>();

        private Builder(String namespace, String name, PolicyAction action) {
            this.namespace = namespace;
            this.name = name;
            this.action = action;
        }

        /** Source identities (SPIFFE ids, {@link Identities#HOST} or {@link Identities#ANY}). */
        public Builder from(String... identities) {
            sources.addAll(List.of(identities));
            return this;
        }
        /** Destination workload identities. */
        public Builder to(String... identities) {
            destinations.addAll(List.of(identities));
            return this;
        }
        /** Destination services, {@code namespace/name}. */
        public Builder toServices(String... keys) {
            services.addAll(List.of(keys));
            return this;
        }
        /** Destination (target) ports. */
        public Builder ports(Integer... numbers) {
            ports.addAll(List.of(numbers));
            return this;
        }
        /** L7 conditions, enforced by the node proxy. */
        public Builder http(HttpMatch... matches) {
            http.addAll(List.of(matches));
            return this;
        }

        public Policy build() {
            return new Policy(namespace, name, action, sources, destinations, services, ports, http);
        }
    }
}
