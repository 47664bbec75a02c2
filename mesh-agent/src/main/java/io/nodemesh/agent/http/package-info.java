/**
 * What a node agent serves whatever feeds it (a state file or the API server): {@code /healthz}, {@code /readyz},
 * Prometheus {@code /metrics} and a live {@code /flows} stream of server-sent events.
 */
package io.nodemesh.agent.http;
