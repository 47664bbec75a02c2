package io.nodemesh.kubernetes.crd;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/** L7 routing for one service, translated into a {@link io.nodemesh.api.state.HttpRoute}; marks its service L7. */
@Group(MeshConfig.GROUP)
@Version(MeshConfig.VERSION)
@Kind("MeshHttpRoute")
@Plural("meshhttproutes")
public final class MeshHttpRoute extends CustomResource<MeshHttpRouteSpec, MeshStatus> implements Namespaced {
    private static final long serialVersionUID = 1L;
}
