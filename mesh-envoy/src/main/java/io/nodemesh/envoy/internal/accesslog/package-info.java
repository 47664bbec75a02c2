/**
 * Envoy's gRPC access-log service on the xDS port: {@link io.nodemesh.envoy.internal.accesslog.AccessLogReceiver}
 * takes the node Envoy's entries and publishes them as flow events, named by the applied state. The access loggers
 * Envoy is configured with come from the translation ({@code translate.AccessLogTranslator}).
 */
package io.nodemesh.envoy.internal.accesslog;
