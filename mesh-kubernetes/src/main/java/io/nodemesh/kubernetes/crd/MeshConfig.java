package io.nodemesh.kubernetes.crd;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * The cluster-wide mesh configuration (cluster-scoped). One is expected, named {@value #DEFAULT_NAME}; when there are
 * several, the one named {@value #DEFAULT_NAME} wins (else the oldest) and the others are marked not accepted.
 */
@Group(MeshConfig.GROUP)
@Version(MeshConfig.VERSION)
@Kind("MeshConfig")
@Plural("meshconfigs")
public final class MeshConfig extends CustomResource<MeshConfigSpec, MeshStatus> {
    public static final String GROUP = "nodemesh.io";
    public static final String VERSION = "v1alpha1";
    public static final String DEFAULT_NAME = "default";
    private static final long serialVersionUID = 1L;
}
