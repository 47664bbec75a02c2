package io.nodemesh.ebpf;

import java.util.Optional;

/**
 * What the dataplane did about TCP sockets established before its programs were attached (see docs/ebpf.md,
 * <em>Pre-existing connections</em>): they are found with a socket iterator and added to {@code nm_sockhash} as
 * sockops would have added them.
 *
 * @param unavailable why backfill is off (e.g. the kernel cannot update a sockhash from an iterator); empty when on
 * @param runs        iterator runs (one per network namespace it was run in)
 * @param added       sockets added to the sockhash so far
 */
public record BackfillStats(Optional<String> unavailable, long runs, long added) {}
