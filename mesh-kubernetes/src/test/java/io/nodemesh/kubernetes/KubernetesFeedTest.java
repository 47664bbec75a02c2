package io.nodemesh.kubernetes;

import static io.nodemesh.kubernetes.Cluster.Ep;
import static org.assertj.core.api.Assertions.assertThat;

import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.EndpointState;
import io.nodemesh.api.state.HttpFault;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.PolicyAction;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServicePort;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One agent fed by fabric8's mock API server in CRUD mode: what it applies as the cluster changes, and its faults. */
class KubernetesFeedTest {
    static final String WG_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

    MockApiServer api;
    Cluster cluster;
    RecordingDataplane dataplane;
    KubernetesFeed feed;

    @BeforeEach
    void cluster() throws Exception {
        api = new MockApiServer();
        cluster = new Cluster(api.client());
        cluster.node("node-a", "192.168.10.1", "10.1.1.0/24");
        cluster.node("node-b", "192.168.10.2", "10.1.2.0/24");
        cluster.pod("shop", "web-1", "node-a", "10.1.1.5", "web", Map.of("app", "web"));
        cluster.pod("shop", "api-1", "node-a", "10.1.1.6", "api", Map.of("app", "api"));
        cluster.pod("shop", "api-2", "node-b", "10.1.2.6", "api", Map.of("app", "api"));
        cluster.service("shop", "api", "10.96.0.10", 80, 8080);
        cluster.slice(
                "shop", "api", "api-abc", 8080, List.of(Ep.ready("10.1.1.6", "api-1"), Ep.ready("10.1.2.6", "api-2")));
        dataplane = new RecordingDataplane();
    }

    @AfterEach
    void stop() {
        if (feed != null) feed.close();
        api.close();
    }

    void start(FeedOptions options) throws InterruptedException {
        feed = KubernetesFeed.start(api.newClient(), dataplane, options);
        assertThat(feed.awaitReady(Eventually.TIMEOUT))
                .as("ready: %s", feed.health())
                .isTrue();
    }

    Optional<Service> service(String key) {
        return dataplane.state().services().stream()
                .filter(s -> s.key().equals(key))
                .findFirst();
    }

    @Test
    void translatesNodesPodsServicesAndSlices() throws Exception {
        start(FeedOptions.forNode("node-a").withWireguardPublicKey(WG_KEY));
        MeshState s = dataplane.state();

        assertThat(s.nodes()).extracting(n -> n.name()).containsExactly("node-a", "node-b");
        var a = s.nodes().getFirst();
        assertThat(a.addresses()).containsExactly("192.168.10.1");
        assertThat(a.podCidrs()).containsExactly("10.1.1.0/24");
        assertThat(s.workloads()).extracting(w -> w.key()).containsExactly("shop/api-1", "shop/api-2", "shop/web-1");
        assertThat(s.workloads().getFirst().identity()).isEqualTo("spiffe://cluster.local/ns/shop/sa/api");
        assertThat(s.workloads().getFirst().labels()).containsEntry("app", "api");
        Service svc = service("shop/api").orElseThrow();
        assertThat(svc.vips()).containsExactly("10.96.0.10");
        assertThat(svc.ports()).containsExactly(new ServicePort("http", 80, 8080, io.nodemesh.api.state.Protocol.TCP));
        assertThat(svc.endpoints())
                .containsExactlyInAnyOrder(
                        Endpoint.ready("10.1.1.6", "shop/api-1"), Endpoint.ready("10.1.2.6", "shop/api-2"));

        // Each agent publishes its own WireGuard key on its Node; every agent then sees it in the state.
        Eventually.until(
                "the published key in the applied state",
                () -> dataplane.state().nodes().getFirst().wireguardPublicKey().equals(WG_KEY));
        assertThat(api.client().nodes().withName("node-a").get().getMetadata().getAnnotations())
                .containsEntry(FeedOptions.WIREGUARD_KEY_ANNOTATION, WG_KEY);
        assertThat(dataplane.state().nodes().get(1).wireguardPublicKey()).isEmpty();
    }

    @Test
    void followsEndpointUpdatesTerminationAndDeletes() throws Exception {
        start(FeedOptions.forNode("node-a"));
        cluster.replaceSlice(
                "shop",
                "api",
                "api-abc",
                8080,
                List.of(Ep.ready("10.1.1.6", "api-1"), Ep.terminating("10.1.2.6", "api-2")));
        Eventually.until(
                "api-2 terminating",
                () -> service("shop/api")
                        .map(s -> s.endpoints()
                                .contains(new Endpoint("10.1.2.6", "shop/api-2", EndpointState.TERMINATING)))
                        .orElse(false),
                () -> dataplane.state().toString());

        // A second slice of the same service adds to it; deleting the pod keeps the address but not the workload link.
        cluster.pod("shop", "api-3", "node-b", "10.1.2.7", "api", Map.of("app", "api"));
        cluster.slice("shop", "api", "api-def", 8080, List.of(Ep.ready("10.1.2.7", "api-3")));
        Eventually.until(
                "api-3 added",
                () -> service("shop/api").map(s -> s.endpoints().size() == 3).orElse(false));

        api.client().pods().inNamespace("shop").withName("web-1").delete();
        Eventually.until(
                "web-1 gone",
                () -> dataplane.state().workloads().stream()
                        .noneMatch(w -> w.name().equals("web-1")));

        api.client().services().inNamespace("shop").withName("api").delete();
        Eventually.until("service deleted", () -> service("shop/api").isEmpty());
        assertThat(dataplane.state().workloads()).extracting(w -> w.name()).contains("api-1", "api-2", "api-3");
    }

    @Test
    void whatDidNotChangeReachesTheBackendAsTheSameObjects() throws Exception {
        // Backends skip re-checking objects they already hold (identity, not equality): a change to one service must
        // hand every other node, workload and service over as the very object the backend was given before.
        cluster.service("shop", "ghost", "10.96.0.11", 80, 8080);
        // Names a pod that does not exist: the feed cuts that link, making a Service of its own for the state.
        cluster.slice("shop", "ghost", "ghost-abc", 8080, List.of(Ep.ready("10.1.2.9", "nobody")));
        start(FeedOptions.forNode("node-a"));
        MeshState before = dataplane.state();
        assertThat(service("shop/ghost").orElseThrow().endpoints().getFirst().workload())
                .isEmpty();

        // Changes the mesh does not see: a node label, a pod annotation.
        api.client().nodes().withName("node-b").edit(n -> {
            n.getMetadata().setLabels(Map.of("zone", "b"));
            return n;
        });
        api.client().pods().inNamespace("shop").withName("web-1").edit(p -> {
            p.getMetadata().setAnnotations(Map.of("note", "unrelated"));
            return p;
        });
        cluster.replaceSlice("shop", "api", "api-abc", 8080, List.of(Ep.ready("10.1.1.6", "api-1")));
        Eventually.until(
                "api shrunk",
                () -> service("shop/api").map(s -> s.endpoints().size() == 1).orElse(false));
        MeshState after = dataplane.state();

        assertThat(after.services())
                .extracting(Service::key)
                .containsExactlyElementsOf(
                        before.services().stream().map(Service::key).toList());
        for (int i = 0; i < after.services().size(); i++) {
            if (!after.services().get(i).key().equals("shop/api"))
                assertThat(after.services().get(i)).isSameAs(before.services().get(i));
        }
        assertThat(after.nodes()).hasSameSizeAs(before.nodes());
        for (int i = 0; i < after.nodes().size(); i++)
            assertThat(after.nodes().get(i)).isSameAs(before.nodes().get(i));
        assertThat(after.workloads()).hasSameSizeAs(before.workloads());
        for (int i = 0; i < after.workloads().size(); i++)
            assertThat(after.workloads().get(i)).isSameAs(before.workloads().get(i));
    }

    @Test
    void aBurstOfChangesIsCoalescedIntoFewApplies() throws Exception {
        start(FeedOptions.forNode("node-a").withQuietPeriod(Duration.ofSeconds(1), Duration.ofSeconds(30)));
        int before = dataplane.applied().size();
        for (int i = 0; i < 20; i++) {
            cluster.service("shop", "svc-" + i, "10.96.1." + (i + 1), 80, 8080);
        }
        Eventually.until("all 20 services", () -> dataplane.state().services().size() == 21);
        // 20 creations, each its own informer event; a quiet period of a second folds them into a handful.
        assertThat(dataplane.applied().size() - before).isLessThan(10);
    }

    @Test
    void anInvalidPolicyGetsAConditionNamingEveryViolationAndTheLastGoodVersionKeepsServing() throws Exception {
        start(FeedOptions.forNode("node-a"));
        cluster.policy(
                "shop",
                "web-to-api",
                Map.of(
                        "action",
                        "allow",
                        "sources",
                        List.of("shop/web"),
                        "services",
                        List.of("api"),
                        "ports",
                        List.of(8080)));
        Eventually.until(
                "the policy applied", () -> dataplane.state().policies().size() == 1);
        var policy = dataplane.state().policies().getFirst();
        assertThat(policy.sources()).containsExactly("spiffe://cluster.local/ns/shop/sa/web");
        assertThat(policy.services()).containsExactly("shop/api");
        assertThat(policy.action()).isEqualTo(PolicyAction.ALLOW);
        Eventually.until("Accepted=True", () -> {
            var c = cluster.accepted(Cluster.POLICY, "shop", "web-to-api");
            return c != null && "True".equals(c.get("status"));
        });

        // A bad edit: an unknown action, a service that does not exist and a malformed path type.
        cluster.replace(
                Cluster.POLICY,
                "shop",
                "web-to-api",
                Map.of(
                        "action",
                        "permit",
                        "sources",
                        List.of("shop/web"),
                        "services",
                        List.of("nope"),
                        "http",
                        List.of(Map.of("path", Map.of("type", "Glob", "value", "/x")))));
        Eventually.until("Accepted=False", () -> {
            var c = cluster.accepted(Cluster.POLICY, "shop", "web-to-api");
            return c != null && "False".equals(c.get("status"));
        });
        String message =
                (String) cluster.accepted(Cluster.POLICY, "shop", "web-to-api").get("message");
        assertThat(message)
                .contains("spec.action")
                .contains("permit")
                .contains("spec.http[0].path.type")
                .contains("previous version keeps serving");
        assertThat(dataplane.state().policies()).containsExactly(policy);

        // Structurally fine but naming a service that does not exist: MeshState validation catches it, same outcome.
        cluster.replace(Cluster.POLICY, "shop", "web-to-api", Map.of("action", "deny", "services", List.of("nope")));
        Eventually.until("the validation violation on the status", () -> {
            var c = cluster.accepted(Cluster.POLICY, "shop", "web-to-api");
            return c != null
                    && String.valueOf(c.get("message")).contains("spec.services[0]: unknown service 'shop/nope'");
        });
        assertThat(dataplane.state().policies()).containsExactly(policy);

        // A string where numbers belong cannot even be read; the others are untouched.
        cluster.policy("shop", "garbled", Map.of("action", "deny", "ports", List.of("eighty")));
        Eventually.until("garbled rejected", () -> {
            var c = cluster.accepted(Cluster.POLICY, "shop", "garbled");
            return c != null
                    && "False".equals(c.get("status"))
                    && String.valueOf(c.get("message")).contains("cannot be read");
        });
        assertThat(dataplane.state().policies()).containsExactly(policy);

        // Fixed: applied, accepted.
        cluster.replace(Cluster.POLICY, "shop", "web-to-api", Map.of("action", "deny", "services", List.of("api")));
        Eventually.until(
                "fixed policy applied",
                () -> dataplane.state().policies().getFirst().action() == PolicyAction.DENY);
        Eventually.until(
                "Accepted=True again",
                () -> "True"
                        .equals(cluster.accepted(Cluster.POLICY, "shop", "web-to-api")
                                .get("status")));
    }

    @Test
    void routesMarkTheirServiceL7AndMeshConfigSetsEncryptionDefaultDenyAndExclusions() throws Exception {
        start(FeedOptions.forNode("node-a"));
        cluster.route(
                "shop",
                "api-canary",
                Map.of(
                        "service",
                        "api",
                        "rules",
                        List.of(Map.of(
                                "matches",
                                List.of(Map.of("path", Map.of("type", "PathPrefix", "value", "/v2"))),
                                "backends",
                                List.of(Map.of("service", "api", "weight", 90)),
                                "timeout",
                                "1.5s"))));
        Eventually.until("route applied", () -> dataplane.state().routes().size() == 1);
        assertThat(service("shop/api").orElseThrow().l7()).isTrue();
        assertThat(dataplane.state().routes().getFirst().rules().getFirst().timeout())
                .isEqualTo(Duration.ofMillis(1500));

        cluster.config(
                "default",
                Map.of(
                        "encryption",
                        Map.of("mode", "wireguard", "strict", true),
                        "defaultPolicy",
                        "deny",
                        "excludedNamespaces",
                        List.of("kube-system")));
        cluster.pod("kube-system", "coredns", "node-a", "10.1.1.53", "coredns", Map.of());
        Eventually.until("encryption on", () -> dataplane.state().encryption().mode() == EncryptionSpec.Mode.WIREGUARD);
        assertThat(dataplane.state().encryption().strict()).isTrue();
        assertThat(dataplane.state().policies()).anySatisfy(p -> {
            assertThat(p.key()).isEqualTo("nodemesh-system/default-deny");
            assertThat(p.sources()).containsExactly("host");
        });
        assertThat(dataplane.state().workloads()).noneMatch(w -> w.namespace().equals("kube-system"));

        // A bad MeshConfig edit keeps the last good settings.
        cluster.replace(Cluster.CONFIG, null, "default", Map.of("encryption", Map.of("mode", "ipsec")));
        Eventually.until("config rejected", () -> {
            var c = cluster.accepted(Cluster.CONFIG, null, "default");
            return c != null && String.valueOf(c.get("message")).contains("spec.encryption.mode");
        });
        assertThat(dataplane.state().encryption().mode()).isEqualTo(EncryptionSpec.Mode.WIREGUARD);
    }

    @Test
    void routeFaultsAreTranslatedAndBadOnesNamedOnTheCondition() throws Exception {
        start(FeedOptions.forNode("node-a"));
        cluster.route(
                "shop",
                "api-chaos",
                Map.of(
                        "service",
                        "api",
                        "rules",
                        List.of(Map.of(
                                "backends", List.of(Map.of("service", "api")),
                                "fault",
                                        Map.of(
                                                "delay",
                                                Map.of("duration", "1.5s", "percent", 10),
                                                "abort",
                                                Map.of("status", 503))))));
        Eventually.until("route applied", () -> dataplane.state().routes().size() == 1);
        var good = dataplane.state().routes().getFirst();
        // An absent percent means every request, as the CRD's default says.
        assertThat(good.rules().getFirst().fault()).isEqualTo(new HttpFault(Duration.ofMillis(1500), 10, 503, 100));
        Eventually.until("Accepted=True", () -> {
            var c = cluster.accepted(Cluster.ROUTE, "shop", "api-chaos");
            return c != null && "True".equals(c.get("status"));
        });

        // Out of bounds everywhere: each violation is named by its field, and the last good version keeps serving.
        cluster.replace(
                Cluster.ROUTE,
                "shop",
                "api-chaos",
                Map.of(
                        "service",
                        "api",
                        "rules",
                        List.of(Map.of(
                                "backends", List.of(Map.of("service", "api")),
                                "fault",
                                        Map.of(
                                                "delay",
                                                Map.of("duration", "soon", "percent", 150),
                                                "abort",
                                                Map.of("status", 99, "percent", -1))))));
        Eventually.until("Accepted=False", () -> {
            var c = cluster.accepted(Cluster.ROUTE, "shop", "api-chaos");
            return c != null && "False".equals(c.get("status"));
        });
        String message =
                (String) cluster.accepted(Cluster.ROUTE, "shop", "api-chaos").get("message");
        assertThat(message)
                .startsWith("4 violations")
                .contains("spec.rules[0].fault.delay.duration: 'soon' is not a duration")
                .contains("spec.rules[0].fault.delay.percent: 150 is not a percentage (0..100)")
                .contains("spec.rules[0].fault.abort.status: 99 is not an HTTP status")
                .contains("spec.rules[0].fault.abort.percent: -1 is not a percentage")
                .contains("previous version keeps serving");
        assertThat(dataplane.state().routes()).containsExactly(good);

        // Fixed: only an abort now.
        cluster.replace(
                Cluster.ROUTE,
                "shop",
                "api-chaos",
                Map.of(
                        "service",
                        "api",
                        "rules",
                        List.of(Map.of(
                                "backends",
                                List.of(Map.of("service", "api")),
                                "fault",
                                Map.of("abort", Map.of("status", 429, "percent", 50))))));
        Eventually.until(
                "fixed route applied",
                () -> dataplane
                        .state()
                        .routes()
                        .getFirst()
                        .rules()
                        .getFirst()
                        .fault()
                        .equals(HttpFault.abort(429, 50)));
        Eventually.until(
                "Accepted=True again",
                () -> "True"
                        .equals(cluster.accepted(Cluster.ROUTE, "shop", "api-chaos")
                                .get("status")));
    }

    @Test
    void relistsAfterTheWatchExpiresWith410() throws Exception {
        start(FeedOptions.forNode("node-a").withQuietPeriod(Duration.ofMillis(20), Duration.ofMillis(200)));
        api.expireWatches(true);
        // Made while no watch can run: only a relist can find it.
        cluster.service("shop", "late", "10.96.0.99", 80, 8080);
        Eventually.until(
                "the relist found the new service",
                () -> service("shop/late").isPresent(),
                () -> feed.health().toString());
        assertThat(service("shop/api")).isPresent(); // and the relist did not lose the others
        api.expireWatches(false);
        assertThat(feed.awaitReady(Eventually.TIMEOUT))
                .as("ready again: %s", feed.health())
                .isTrue();
        cluster.service("shop", "after", "10.96.0.98", 80, 8080);
        Eventually.until("watching again", () -> service("shop/after").isPresent());
    }

    @Test
    void anOutageKeepsTheLastStateAndReadinessSaysWhatIsWrong() throws Exception {
        start(FeedOptions.forNode("node-a").withQuietPeriod(Duration.ofMillis(20), Duration.ofMillis(200)));
        MeshState before = dataplane.state();
        int applies = dataplane.applied().size();
        api.outage(true);
        try {
            Eventually.until("not ready", () -> !feed.health().ready());
            assertThat(String.join("\n", feed.health().problems())).contains("not watching");
            assertThat(dataplane.state()).isEqualTo(before);
            assertThat(dataplane.applied()).hasSize(applies);
        } finally {
            api.outage(false);
        }
        assertThat(feed.awaitReady(Eventually.TIMEOUT))
                .as("ready after the outage: %s", feed.health())
                .isTrue();
        assertThat(dataplane.state().services()).isEqualTo(before.services());
        cluster.service("shop", "after", "10.96.0.98", 80, 8080);
        Eventually.until("changes flow again", () -> service("shop/after").isPresent());
    }

    @Test
    void anEmptyListAfterAnErrorDoesNotEmptyTheDataplane() throws Exception {
        start(FeedOptions.forNode("node-a").withQuietPeriod(Duration.ofMillis(20), Duration.ofMillis(200)));
        MeshState before = dataplane.state();
        assertThat(before.services()).isNotEmpty();
        api.outage(true);
        Eventually.until("the outage noticed", () -> !feed.health().ready());
        api.emptyLists("/api/v1/services");
        api.outage(false);
        api.expireWatches(
                true); // the reconnecting watches are told 410: the informers relist, and services come back empty
        Eventually.until(
                "the guard holding",
                () -> feed.health().problems().stream().anyMatch(p -> p.contains("holding the last state")),
                () -> feed.health().toString());
        assertThat(feed.health().problems()).anySatisfy(p -> assertThat(p).contains("service list came back empty"));
        assertThat(dataplane.state().services()).isEqualTo(before.services());

        // The API server has its services again: the next relist brings them back and the feed is ready.
        api.emptyLists(null);
        Thread.sleep(500); // a watch or two more refused with 410 relist the real services
        api.expireWatches(false);
        assertThat(feed.awaitReady(Eventually.TIMEOUT)).as("%s", feed.health()).isTrue();
        assertThat(dataplane.state().services()).isEqualTo(before.services());
    }

    @Test
    void nothingIsAppliedUntilEveryCacheIsListed() throws Exception {
        // Without nodemesh's CRDs the policy list fails: applying anyway could open what a policy denies.
        var bare = new io.fabric8.kubernetes.client.server.mock.KubernetesMockServer(false);
        bare.init();
        {
            // No CRUD: every list fails. The feed must wait and say why.
            var client = bare.createClient();
            try (var f = KubernetesFeed.start(client, dataplane, FeedOptions.forNode("node-a"))) {
                Eventually.until(
                        "a problem is reported",
                        () -> f.health().problems().stream().anyMatch(p -> p.contains("not listed yet")));
                assertThat(f.health().ready()).isFalse();
                assertThat(dataplane.applied()).isEmpty();
            } finally {
                client.close();
                bare.destroy();
            }
        }
    }
}
