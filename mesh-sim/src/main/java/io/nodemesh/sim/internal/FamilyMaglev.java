package io.nodemesh.sim.internal;

import io.nodemesh.api.lb.Maglev;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.IpAddresses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Maglev table of one service and one address family, as the eBPF planner builds it for the kernel's backend set
 * of that family: the ready endpoints of the family, each address once (first wins), named by canonical address, in a
 * {@link Maglev#canonicalTable} so that both backends give every entry the same owner.
 *
 * @param backends the ready endpoints of the family, in state order, each address once
 * @param table    entries are indexes into {@code backends}
 */
record FamilyMaglev(List<Endpoint> backends, int[] table) {
    static FamilyMaglev of(List<Endpoint> ready, boolean v6, int tableSize) {
        Map<String, Endpoint> byAddress = new LinkedHashMap<>();
        for (Endpoint e : ready) {
            if (IpAddresses.isValid(e.ip()) && IpAddresses.isV6(e.ip()) == v6)
                byAddress.putIfAbsent(IpAddresses.canonical(e.ip()), e);
        }
        return new FamilyMaglev(
                List.copyOf(byAddress.values()), Maglev.canonicalTable(new ArrayList<>(byAddress.keySet()), tableSize));
    }

    /** The backend a {@link io.nodemesh.api.lb.SocketLbKey#hash} falls on; only for a table with backends. */
    Endpoint pick(int hash) {
        return backends.get(table[Maglev.index(hash, table.length)]);
    }
}
