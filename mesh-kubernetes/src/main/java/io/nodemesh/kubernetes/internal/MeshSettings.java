package io.nodemesh.kubernetes.internal;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Violation;
import io.nodemesh.kubernetes.crd.MeshConfig;
import io.nodemesh.kubernetes.crd.MeshConfigSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What a {@link MeshConfig} sets for the whole mesh.
 *
 * @param encryption         encryption between nodes
 * @param defaultDeny        whether every workload is default-deny
 * @param excludedNamespaces namespaces left out of the mesh
 */
record MeshSettings(EncryptionSpec encryption, boolean defaultDeny, Set<String> excludedNamespaces) {
    static final MeshSettings DEFAULTS = new MeshSettings(EncryptionSpec.NONE, false, Set.of());

    MeshSettings {
        excludedNamespaces = Set.copyOf(excludedNamespaces);
    }

    String trustDomain() {
        return encryption.trustDomain();
    }

    static Translated<MeshSettings> translate(MeshConfig cr) {
        List<Violation> violations = new ArrayList<>();
        MeshConfigSpec spec = cr.getSpec();
        if (spec == null) return new Translated<>(DEFAULTS, violations);
        EncryptionSpec encryption = EncryptionSpec.NONE;
        if (spec.encryption() != null) {
            var e = spec.encryption();
            EncryptionSpec.Mode mode =
                    switch (e.mode() == null ? "none" : e.mode().toLowerCase(Locale.ROOT)) {
                        case "none" -> EncryptionSpec.Mode.NONE;
                        case "wireguard" -> EncryptionSpec.Mode.WIREGUARD;
                        case "mtls" -> EncryptionSpec.Mode.MTLS;
                        default -> {
                            violations.add(new Violation(
                                    "spec.encryption.mode", "'" + e.mode() + "' is not none, wireguard or mtls"));
                            yield EncryptionSpec.Mode.NONE;
                        }
                    };
            String domain = e.trustDomain();
            if (domain != null && !domain.isEmpty() && !domain.matches("[a-z0-9.\\-_]+")) {
                violations.add(new Violation(
                        "spec.encryption.trustDomain",
                        "'" + domain + "' is not a SPIFFE trust domain (lower-case letters, digits, '.', '-', '_')"));
                domain = null;
            }
            encryption = new EncryptionSpec(
                    mode,
                    (Boolean.TRUE.equals(e.strict())
                            ? EncryptionSpec.Enforcement.STRICT
                            : EncryptionSpec.Enforcement.PERMISSIVE),
                    domain);
        }
        boolean deny = false;
        if (spec.defaultPolicy() != null) {
            switch (spec.defaultPolicy().toLowerCase(Locale.ROOT)) {
                case "allow" -> deny = false;
                case "deny" -> deny = true;
                default ->
                    violations.add(new Violation(
                            "spec.defaultPolicy", "'" + spec.defaultPolicy() + "' is neither allow nor deny"));
            }
        }
        Set<String> excluded = spec.excludedNamespaces() == null ? Set.of() : Set.copyOf(spec.excludedNamespaces());
        return new Translated<>(new MeshSettings(encryption, deny, excluded), violations);
    }
}
