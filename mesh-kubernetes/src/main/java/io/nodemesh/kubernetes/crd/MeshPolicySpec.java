package io.nodemesh.kubernetes.crd;

import java.util.List;

/**
 * Spec of a {@link MeshPolicy}. Identities are written as a SPIFFE id, as {@code namespace/serviceaccount} (turned
 * into the SPIFFE id of that service account), as {@code host} (processes on a node outside every pod) or {@code *}.
 *
 * @param action       {@code allow} or {@code deny}
 * @param sources      source identities; empty = any
 * @param destinations destination identities
 * @param services     destination services, {@code name} (this namespace) or {@code namespace/name}
 * @param ports        destination (backend) ports; empty = any
 * @param http         L7 conditions enforced by the node proxy; empty = L4 only
 */
public record MeshPolicySpec(
        String action,
        List<String> sources,
        List<String> destinations,
        List<String> services,
        List<Integer> ports,
        List<HttpMatchSpec> http) {}
