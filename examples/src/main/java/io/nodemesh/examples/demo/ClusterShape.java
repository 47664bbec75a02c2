package io.nodemesh.examples.demo;

/**
 * The size of a demo cluster. The article's example is {@link #ARTICLE}: 20 services × 5 pods on 3 nodes.
 *
 * @param nodes           nodes, 1..100
 * @param services        services, 1..10000
 * @param podsPerService  pods behind each service, 1..1000
 */
public record ClusterShape(int nodes, int services, int podsPerService) {
    public static final ClusterShape ARTICLE = new ClusterShape(3, 20, 5);

    public ClusterShape {
        range("--nodes", nodes, 1, 100);
        range("--services", services, 1, 10_000);
        range("--pods-per-service", podsPerService, 1, 1_000);
        // Each node's pods come from one /16 (see DemoCluster), and a /16 holds 65,000 pods with room to spare.
        if ((long) services * podsPerService > 60_000L * nodes) {
            throw new IllegalArgumentException("--services × --pods-per-service = " + (long) services * podsPerService
                    + " pods is more than 60000 per node on " + nodes + " node(s)");
        }
    }

    public int pods() {
        return services * podsPerService;
    }

    private static void range(String option, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(option + " " + value + " is outside " + min + ".." + max);
        }
    }
}
