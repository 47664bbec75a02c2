package io.nodemesh.kubernetes;

import java.time.Duration;

/**
 * Which agent writes the status of nodemesh's resources. Every agent computes the same verdicts; with the election on,
 * only the holder of a {@code coordination.k8s.io/v1} Lease writes them (identity: the agent's node name), the others
 * keep translating and applying, and one of them takes over when the holder's lease runs out (an agent that stops
 * cleanly hands the lease back at once).
 *
 * @param enabled        whether agents elect one status writer; off = every agent writes (only when it differs)
 * @param leaseName      the Lease's name
 * @param leaseNamespace the Lease's namespace; empty = the client's namespace (in a pod: the agent's own, read from its
 *                       service account), else {@value #FALLBACK_NAMESPACE}
 * @param leaseDuration  how long a lease not renewed holds off the others (also the longest no status is written after
 *                       the writer died)
 * @param renewDeadline  how long the holder keeps trying to renew before it stops writing; less than leaseDuration
 * @param retryPeriod    how often candidates try to acquire and the holder renews
 */
public record StatusElection(
        boolean enabled,
        String leaseName,
        String leaseNamespace,
        Duration leaseDuration,
        Duration renewDeadline,
        Duration retryPeriod) {
    public static final String FALLBACK_NAMESPACE = "nodemesh-system";

    /** On, lease {@code nodemesh-status-writer} in the agent's namespace, Kubernetes' usual 15 s / 10 s / 2 s. */
    public static final StatusElection DEFAULT = new StatusElection(
            true, "nodemesh-status-writer", "", Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));

    /** Off: every agent writes statuses. */
    public static final StatusElection OFF = DEFAULT.withEnabled(false);

    public StatusElection {
        leaseName = leaseName == null || leaseName.isEmpty() ? "nodemesh-status-writer" : leaseName;
        leaseNamespace = leaseNamespace == null ? "" : leaseNamespace;
        leaseDuration = leaseDuration == null ? Duration.ofSeconds(15) : leaseDuration;
        renewDeadline = renewDeadline == null ? Duration.ofSeconds(10) : renewDeadline;
        retryPeriod = retryPeriod == null ? Duration.ofSeconds(2) : retryPeriod;
        // fabric8's elector jitters the retry period by up to 20 %; a renewal must fit in the deadline with that.
        if (!retryPeriod.isPositive()
                || retryPeriod.multipliedBy(12).dividedBy(10).compareTo(renewDeadline) >= 0
                || renewDeadline.compareTo(leaseDuration) >= 0) {
            throw new IllegalArgumentException(
                    "status election: need 0 < retryPeriod * 1.2 < renewDeadline < leaseDuration, got " + retryPeriod
                            + ", " + renewDeadline + ", " + leaseDuration);
        }
    }

    public StatusElection withEnabled(boolean on) {
        return new StatusElection(on, leaseName, leaseNamespace, leaseDuration, renewDeadline, retryPeriod);
    }

    public StatusElection withLease(String namespace, String name) {
        return new StatusElection(enabled, name, namespace, leaseDuration, renewDeadline, retryPeriod);
    }

    public StatusElection withDurations(Duration lease, Duration renew, Duration retry) {
        return new StatusElection(enabled, leaseName, leaseNamespace, lease, renew, retry);
    }
}
