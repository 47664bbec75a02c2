/**
 * nodemesh's custom resources (group {@code nodemesh.io}, version {@code v1alpha1}): the cluster-wide
 * {@link io.nodemesh.kubernetes.crd.MeshConfig} and the namespaced {@link io.nodemesh.kubernetes.crd.MeshPolicy} and
 * {@link io.nodemesh.kubernetes.crd.MeshHttpRoute}. Their manifests with OpenAPI schemas are in {@code deploy/crds.yaml}.
 */
package io.nodemesh.kubernetes.crd;
