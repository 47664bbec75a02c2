package io.nodemesh.envoy;

/**
 * Counters of the access-log receiver (the node Envoy's gRPC access-log streams), since the dataplane opened.
 *
 * @param streams           streams opened by proxies
 * @param entries           HTTP and TCP entries received
 * @param published         entries published as flow events
 * @param malformedMessages stream messages that did not parse (skipped; the stream goes on)
 * @param unusableEntries   entries without usable addresses (skipped)
 * @param ignoredEntries    entries of log types that end no request or connection (periodic, start-of-request)
 * @param lost              events dropped because flow subscribers fell behind (also in {@code FlowStats.lost})
 */
public record AccessLogStats(
        long streams,
        long entries,
        long published,
        long malformedMessages,
        long unusableEntries,
        long ignoredEntries,
        long lost) {}
