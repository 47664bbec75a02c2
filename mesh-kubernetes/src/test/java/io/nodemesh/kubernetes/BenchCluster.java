package io.nodemesh.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;

/** The mock API server, opened up for the benchmark in another package. */
public final class BenchCluster implements AutoCloseable {
    private final MockApiServer api;

    public BenchCluster() throws IOException {
        api = new MockApiServer();
    }

    public KubernetesClient client() {
        return api.client();
    }

    public KubernetesClient newClient() {
        return api.newClient();
    }

    public void nodes(int count) {
        Cluster c = new Cluster(api.client());
        for (int i = 0; i < count; i++) c.node("node-" + i, "192.168.30." + (i + 1), "10.3." + i + ".0/24");
    }

    @Override
    public void close() {
        api.close();
    }
}
