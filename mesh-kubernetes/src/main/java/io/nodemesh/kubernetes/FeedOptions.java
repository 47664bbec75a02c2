package io.nodemesh.kubernetes;

import java.time.Duration;

/**
 * How a {@link KubernetesFeed} runs.
 *
 * @param nodeName           the node this agent runs on (its own Node must be listed before anything is applied, and
 *                           its WireGuard key is published on it); empty for a feed that serves no particular node
 * @param wireguardPublicKey this node's WireGuard public key (base64) to publish as the annotation
 *                           {@value #WIREGUARD_KEY_ANNOTATION} on its Node; empty to publish none
 * @param quietPeriod        how long the cluster must be quiet before changes are applied: a burst becomes one apply
 * @param maxDelay           the longest a change waits when the cluster never goes quiet
 * @param retryBackoff       the first wait before an apply the backend failed is tried again (doubles, up to a minute)
 * @param writeStatus        whether this agent writes the {@code Accepted} condition of nodemesh's resources
 * @param statusElection     whether the agents elect one of them to write those conditions (on by default)
 */
public record FeedOptions(
        String nodeName,
        String wireguardPublicKey,
        Duration quietPeriod,
        Duration maxDelay,
        Duration retryBackoff,
        boolean writeStatus,
        StatusElection statusElection) {
    public static final String WIREGUARD_KEY_ANNOTATION = "nodemesh.io/wireguard-public-key";

    public FeedOptions {
        nodeName = nodeName == null ? "" : nodeName;
        wireguardPublicKey = wireguardPublicKey == null ? "" : wireguardPublicKey;
        quietPeriod = quietPeriod == null ? Duration.ofMillis(20) : quietPeriod;
        maxDelay = maxDelay == null ? Duration.ofMillis(500) : maxDelay;
        retryBackoff = retryBackoff == null ? Duration.ofSeconds(1) : retryBackoff;
        statusElection = statusElection == null ? StatusElection.DEFAULT : statusElection;
        if (quietPeriod.isNegative() || maxDelay.isNegative() || retryBackoff.isNegative()) {
            throw new IllegalArgumentException(
                    "durations must not be negative: " + quietPeriod + ", " + maxDelay + ", " + retryBackoff);
        }
    }

    /** Defaults for the agent on {@code nodeName}. */
    public static FeedOptions forNode(String nodeName) {
        return new FeedOptions(nodeName, "", null, null, null, true, StatusElection.DEFAULT);
    }

    public FeedOptions withWireguardPublicKey(String key) {
        return new FeedOptions(nodeName, key, quietPeriod, maxDelay, retryBackoff, writeStatus, statusElection);
    }

    public FeedOptions withQuietPeriod(Duration quiet, Duration max) {
        return new FeedOptions(nodeName, wireguardPublicKey, quiet, max, retryBackoff, writeStatus, statusElection);
    }

    public FeedOptions withWriteStatus(boolean write) {
        return new FeedOptions(
                nodeName, wireguardPublicKey, quietPeriod, maxDelay, retryBackoff, write, statusElection);
    }

    public FeedOptions withStatusElection(StatusElection election) {
        return new FeedOptions(
                nodeName, wireguardPublicKey, quietPeriod, maxDelay, retryBackoff, writeStatus, election);
    }
}
