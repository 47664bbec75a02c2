/**
 * {@code MeshState} → Envoy v3 resources: {@link io.nodemesh.envoy.internal.translate.MeshTranslator} and the
 * per-kind translators it drives (clusters, endpoints, listeners, routes, faults, RBAC, TLS contexts, access loggers),
 * the resource names they share, and the checks of a state and of its translation before anything is served
 * ({@link io.nodemesh.envoy.internal.translate.EnvoyValidator},
 * {@link io.nodemesh.envoy.internal.translate.ProtoSchemaCheck},
 * {@link io.nodemesh.envoy.internal.translate.SharedChecks}). Knows nothing of xDS streams.
 */
package io.nodemesh.envoy.internal.translate;
