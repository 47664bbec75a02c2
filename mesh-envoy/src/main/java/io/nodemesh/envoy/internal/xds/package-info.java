/**
 * Serving translated resources over ADS: {@link io.nodemesh.envoy.internal.xds.XdsServer} (SotW through
 * java-control-plane over {@link io.nodemesh.envoy.internal.xds.MeshCache}, delta through our own streams), the
 * versioned per-node snapshots of {@link io.nodemesh.envoy.internal.xds.NodeSnapshots}, and the push path's sharing:
 * resources serialized once, marshallers that reuse encoded bodies and asked-name sets, paced sends.
 */
package io.nodemesh.envoy.internal.xds;
