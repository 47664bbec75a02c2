package io.nodemesh.envoy.internal.xds;

import io.nodemesh.api.BackendHealth;
import java.util.ArrayList;
import java.util.List;

/** The xDS clients' state as health: a client whose last answer was a rejection needs an operator. */
public final class ProxyHealth {
    private ProxyHealth() {}

    public static BackendHealth of(String backend, ClientLedger ledger) {
        List<BackendHealth.ProxyClient> clients = ledger.clients();
        List<String> problems = new ArrayList<>();
        for (BackendHealth.ProxyClient c : clients) {
            if (c.nacks() > 0 && !c.upToDate()) {
                problems.add("proxy " + c.node() + " rejected " + c.resourceType() + " version "
                        + c.sentVersion().orElse("?") + " (" + c.nacks() + " rejections on this stream): "
                        + c.lastNack().orElse(""));
            }
        }
        return new BackendHealth(backend, problems, List.of(), List.of(), clients);
    }
}
