package io.nodemesh.kubernetes.crd;

import java.util.List;

/**
 * Spec of a {@link MeshConfig}.
 *
 * @param encryption         how traffic between nodes is encrypted; absent = none
 * @param defaultPolicy      {@code allow} (the default: a workload no policy selects takes everything not denied) or
 *                           {@code deny} (every workload takes only what a MeshPolicy allows, plus node processes)
 * @param excludedNamespaces namespaces whose pods and services stay out of the mesh (e.g. kube-system)
 */
public record MeshConfigSpec(EncryptionSpecFields encryption, String defaultPolicy, List<String> excludedNamespaces) {
    /**
     * @param mode        {@code none}, {@code wireguard} or {@code mtls}
     * @param strict      drop pod traffic that would leave a node unencrypted
     * @param trustDomain SPIFFE trust domain of workload identities; absent = cluster.local
     */
    public record EncryptionSpecFields(String mode, Boolean strict, String trustDomain) {}
}
