package io.nodemesh.api.state;

import java.util.regex.Pattern;

/** Workload identities: SPIFFE ids, plus the reserved identities of processes outside any workload. */
public final class Identities {
    /** Any process on a node that belongs to no workload: host agents, kubelet, node-local tools. */
    public static final String HOST = "host";
    /** Any source at all, in a policy's sources. */
    public static final String ANY = "*";

    private static final Pattern SPIFFE = Pattern.compile("spiffe://[a-z0-9.\\-_]+(/[A-Za-z0-9.\\-_]+)+");

    private Identities() {}

    public static boolean isSpiffeId(String id) {
        return id != null && SPIFFE.matcher(id).matches();
    }

    /** {@code spiffe://<trustDomain>/ns/<namespace>/sa/<serviceAccount>}, the Kubernetes convention. */
    public static String spiffe(String trustDomain, String namespace, String serviceAccount) {
        return "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
    }
}
