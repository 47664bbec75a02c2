package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Option;
import io.nodemesh.api.lb.Maglev;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import java.util.List;

/**
 * Capacity of the kernel maps, checked by {@link CapacityValidator} so that a full map is a validation error, never an
 * apply-time surprise. Each limit is an {@link Option} ({@code ebpf.<name>}); the agent must create
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
public record PlanLimits(
        int maxServices,
        int maxVipPorts,
        int maxBackends,
        int maxBackendsPerService,
        int maxIdentities,
        int maxPolicyRules,
        int maxMaglevEntries,
        int maglevTableSize) {
    /** A prime ≥ 100 × the ~10 backends of a typical service (the Maglev paper's rule of thumb). */
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 1021;

    public static final PlanLimits DEFAULTS = new PlanLimits(
            KernelAbi.MAX_SERVICES,
            KernelAbi.MAX_VIP_PORTS,
            KernelAbi.MAX_BACKENDS,
            KernelAbi.MAX_BACKENDS_PER_SERVICE,
            KernelAbi.MAX_IDENTITIES,
            KernelAbi.MAX_POLICY,
            KernelAbi.MAX_MAGLEV,
            DEFAULT_MAGLEV_TABLE_SIZE);

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

    static final Option<Integer> MAX_SERVICES =
            limit("ebpf.maxServices", DEFAULTS.maxServices, "Service objects (ids)");
    static final Option<Integer> MAX_VIP_PORTS =
            limit("ebpf.maxVipPorts", DEFAULTS.maxVipPorts, "VIPs x ports over all services");
    static final Option<Integer> MAX_BACKENDS =
            limit("ebpf.maxBackends", DEFAULTS.maxBackends, "ready endpoints over all services");
    static final Option<Integer> MAX_BACKENDS_PER_SERVICE = limit(
            "ebpf.maxBackendsPerService", DEFAULTS.maxBackendsPerService, "ready endpoints of one service and family");
    static final Option<Integer> MAX_IDENTITIES =
            limit("ebpf.maxIdentities", DEFAULTS.maxIdentities, "entries of each identity map");
    static final Option<Integer> MAX_POLICY_RULES =
            limit("ebpf.maxPolicyRules", DEFAULTS.maxPolicyRules, "policy map entries");
    static final Option<Integer> MAX_MAGLEV_ENTRIES =
            limit("ebpf.maxMaglevEntries", DEFAULTS.maxMaglevEntries, "Maglev map entries (table size x backend sets)");
    static final Option<Integer> MAGLEV_TABLE_SIZE =
            limit("ebpf.maglevTableSize", DEFAULTS.maglevTableSize, "entries of each Maglev table, a prime");

    /** The capacity options, each {@code ebpf.<component>}. */
    public static final List<Option<?>> OPTIONS = List.of(
            MAX_SERVICES,
            MAX_VIP_PORTS,
            MAX_BACKENDS,
            MAX_BACKENDS_PER_SERVICE,
            MAX_IDENTITIES,
            MAX_POLICY_RULES,
            MAX_MAGLEV_ENTRIES,
            MAGLEV_TABLE_SIZE);

    /** Reads the {@code ebpf.*} capacity options, defaulting each to {@link #DEFAULTS}. */
    public static PlanLimits from(DataplaneOptions options) {
        return new PlanLimits(
                options.get(MAX_SERVICES),
                options.get(MAX_VIP_PORTS),
                options.get(MAX_BACKENDS),
                options.get(MAX_BACKENDS_PER_SERVICE),
                options.get(MAX_IDENTITIES),
                options.get(MAX_POLICY_RULES),
                options.get(MAX_MAGLEV_ENTRIES),
                options.get(MAGLEV_TABLE_SIZE));
    }

    private static Option<Integer> limit(String key, int defaultValue, String what) {
        return Option.integer(key, defaultValue, 1, Integer.MAX_VALUE, what);
    }

    private static void positive(String name, int value) {
        if (value <= 0) throw new IllegalArgumentException(name + " = " + value + " must be positive");
    }
}
