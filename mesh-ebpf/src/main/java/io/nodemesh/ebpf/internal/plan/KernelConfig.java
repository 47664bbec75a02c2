package io.nodemesh.ebpf.internal.plan;

import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.ebpf.internal.abi.KernelAbi;
import java.util.EnumSet;
import java.util.Set;

/**
 * What goes into {@code nm_config} besides what the state decides: which features are on, and where the node proxy
 * listens (for L7 services).
 *
 * @param features  the features the programs apply
 * @param proxyIp   the node proxy's address, or empty when there is no node proxy
 * @param proxyPort the node proxy's port, 0 when there is none
 */
public record KernelConfig(Set<Feature> features, String proxyIp, int proxyPort) {
    /** Switches of the kernel programs, one nm_config flag each. */
    public enum Feature {
        /** Same-node socket redirect (sockops + sk_msg). */
        REDIRECT(KernelAbi.CFG_F_REDIRECT),
        /** Identity policy. */
        POLICY(KernelAbi.CFG_F_POLICY),
        /** Socket-level service load balancing. */
        LOAD_BALANCING(KernelAbi.CFG_F_LB),
        /** A flow event per redirected message (costly; for debugging). */
        MESSAGE_EVENTS(KernelAbi.CFG_F_MSG_EVENTS);

        final int flag;

        Feature(int flag) {
            this.flag = flag;
        }
    }

    /** Redirect, policy and load balancing on; no node proxy. */
    public static final KernelConfig DEFAULT =
            new KernelConfig(EnumSet.of(Feature.REDIRECT, Feature.POLICY, Feature.LOAD_BALANCING), "", 0);

    public KernelConfig {
        features = features.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(features));
        proxyIp = proxyIp == null ? "" : proxyIp;
        if (!proxyIp.isEmpty() && !IpAddresses.isValid(proxyIp)) {
            throw new IllegalArgumentException("node proxy address '" + proxyIp + "' is not an IP address");
        }
        if (proxyPort < 0 || proxyPort > 65535)
            throw new IllegalArgumentException("node proxy port " + proxyPort + " is outside 0..65535");
        if (proxyIp.isEmpty() != (proxyPort == 0)) {
            throw new IllegalArgumentException(
                    "give the node proxy's address and port together (got '" + proxyIp + "', " + proxyPort + ")");
        }
    }

    public KernelConfig withProxy(String ip, int port) {
        return new KernelConfig(features, ip, port);
    }

    int flags() {
        int flags = 0;
        for (Feature f : features) flags |= f.flag;
        return flags;
    }
}
