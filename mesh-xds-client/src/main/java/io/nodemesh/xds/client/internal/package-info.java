/**
 * The {@code "tls"} xDS credentials provider and what it is made of: PEM reading, the reloading material, and the key
 * and trust managers that read it per handshake. Not exported.
 */
package io.nodemesh.xds.client.internal;
