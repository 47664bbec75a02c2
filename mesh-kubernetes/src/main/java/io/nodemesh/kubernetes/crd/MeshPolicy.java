package io.nodemesh.kubernetes.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** An identity-based allow or deny rule, translated into a {@link io.nodemesh.api.state.Policy}. */
@Group(MeshConfig.GROUP)
@Version(MeshConfig.VERSION)
@Kind("MeshPolicy")
@Plural("meshpolicies")
public final class MeshPolicy extends CustomResource<MeshPolicySpec, MeshStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;
}
