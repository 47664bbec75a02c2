package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.lb.Maglev;

/**
 * Capacity of the kernel maps, checked by {@link CapacityValidator} so that a full map is a validation error, never an
 * apply-time surprise. Each limit has a {@code DataplaneOptions} property ({@code ebpf.<name>}); the agent must create
 * the maps with at least these max_entries.
 *
 * @param maxServices            Service objects (ids), {@code ebpf.maxServices}
 * @param maxVipPorts            nm_services entries (VIPs × ports over all services), {@code ebpf.maxVipPorts}
 * @param maxBackends            nm_backends entries (ready endpoints over all services), {@code ebpf.maxBackends}
 * @param maxBackendsPerService  ready endpoints of one service and family, {@code ebpf.maxBackendsPerService}
 *                               (at most {@link KernelAbi#MAX_BACKENDS_PER_SERVICE}, the kernel's bound)
 * @param maxIdentities          entries of each identity map (addresses, netns, cgroups), {@code ebpf.maxIdentities}
 * @param maxPolicyRules         nm_policy entries (and nm_policy_selected entries), {@code ebpf.maxPolicyRules}
 * @param maxMaglevEntries       nm_maglev entries (table size × Maglev backend sets), {@code ebpf.maxMaglevEntries}
 * @param maglevTableSize        entries of each Maglev table, a prime, {@code ebpf.maglevTableSize}
 */
public record PlanLimits(int maxServices, int maxVipPorts, int maxBackends, int maxBackendsPerService, int maxIdentities,
                         int maxPolicyRules, int maxMaglevEntries, int maglevTableSize) {
    /** A prime ≥ 100 × the ~10 backends of a typical service (the Maglev paper's rule of thumb). */
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 1021;

    public static final PlanLimits DEFAULTS = new PlanLimits(KernelAbi.MAX_SERVICES, KernelAbi.MAX_VIP_PORTS,
            KernelAbi.MAX_BACKENDS, KernelAbi.MAX_BACKENDS_PER_SERVICE, KernelAbi.MAX_IDENTITIES, KernelAbi.MAX_POLICY,
            KernelAbi.MAX_MAGLEV, DEFAULT_MAGLEV_TABLE_SIZE);

    public PlanLimits {
        positive("ebpf.maxServices", maxServices);
        positive("ebpf.maxVipPorts", maxVipPorts);
        positive("ebpf.maxBackends", maxBackends);
        positive("ebpf.maxBackendsPerService", maxBackendsPerService);
        positive("ebpf.maxIdentities", maxIdentities);
        positive("ebpf.maxPolicyRules", maxPolicyRules);
        positive("ebpf.maxMaglevEntries", maxMaglevEntries);
        if (maxBackendsPerService > KernelAbi.MAX_BACKENDS_PER_SERVICE) {
            throw new IllegalArgumentException("ebpf.maxBackendsPerService = " + maxBackendsPerService
                    + " exceeds the kernel programs' bound of " + KernelAbi.MAX_BACKENDS_PER_SERVICE);
        }
        if (!Maglev.isPrime(maglevTableSize)) {
            throw new IllegalArgumentException("ebpf.maglevTableSize = " + maglevTableSize + " is not a prime");
        }
    }

    /** The size of the nm_rr array: one counter per backend set (a service has one per address family) plus index 0. */
    public int backendSets() {
        return 2 * maxServices + 1;
    }

    /** Reads the {@code ebpf.*} properties, defaulting each to {@link #DEFAULTS}. */
    public static PlanLimits from(DataplaneOptions options) {
        return new PlanLimits(
                intProperty(options, "ebpf.maxServices", DEFAULTS.maxServices),
                intProperty(options, "ebpf.maxVipPorts", DEFAULTS.maxVipPorts),
                intProperty(options, "ebpf.maxBackends", DEFAULTS.maxBackends),
                intProperty(options, "ebpf.maxBackendsPerService", DEFAULTS.maxBackendsPerService),
                intProperty(options, "ebpf.maxIdentities", DEFAULTS.maxIdentities),
                intProperty(options, "ebpf.maxPolicyRules", DEFAULTS.maxPolicyRules),
                intProperty(options, "ebpf.maxMaglevEntries", DEFAULTS.maxMaglevEntries),
                intProperty(options, "ebpf.maglevTableSize", DEFAULTS.maglevTableSize));
    }

    private static int intProperty(DataplaneOptions options, String key, int defaultValue) {
        String text = options.property(key, Integer.toString(defaultValue)).trim();
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " = '" + text + "' is not a whole number");
        }
    }

    private static void positive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " = " + value + " must be positive");
    }
}
