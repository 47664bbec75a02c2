package io.nodemesh.envoy.internal;

import io.envoyproxy.controlplane.cache.v3.Snapshot;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.nodemesh.api.ApplyException;
import io.nodemesh.api.InvalidStateException;
import io.nodemesh.api.spi.Programmer;
import io.nodemesh.api.spi.StateChange;
import io.nodemesh.api.spi.UndoLog;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.api.state.Violation;
import io.nodemesh.envoy.internal.ca.MeshCredentials;
import io.nodemesh.envoy.internal.translate.EnvoyValidator;
import io.nodemesh.envoy.internal.translate.MeshResources;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import io.nodemesh.envoy.internal.translate.ProtoSchemaCheck;
import io.nodemesh.envoy.internal.translate.SharedChecks;
import io.nodemesh.envoy.internal.xds.NodeSnapshots;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * The Envoy backend's step of the apply pipeline: a state becomes one consistent, versioned xDS snapshot per node.
 * Everything is translated and checked in {@link #check} (so a bad state touches no stream), then served at once in
 * {@link #program}. Certificate rotation re-publishes the applied state under a new xDS version.
 */
public final class SnapshotPublisher implements Programmer {
    /** Translated resources waiting to be served, and the issuer that signed their secrets. */
    private record Prepared(MeshCredentials.Issuer issuer, MeshResources shared, Map<String, MeshResources> perNode) {}

    private final String onlyNode;
    private final boolean schemaCheck;
    private final MeshTranslator translator;
    private final NodeSnapshots snapshots;
    private final MeshCredentials credentials;
    private final Consumer<MeshState> onServed;
    /** Name and schema checks of the shared resources, incremental from the last apply that passed. */
    private final SharedChecks sharedChecks = new SharedChecks();

    private Prepared pending;
    /** The xDS version: one more with every apply and every rotation. */
    private long version;

    /**
     * @param onlyNode the one node served, or empty for every node of the state
     * @param onServed told each state once it is served (access-log decoding)
     */
    public SnapshotPublisher(
            String onlyNode,
            boolean schemaCheck,
            MeshTranslator translator,
            NodeSnapshots snapshots,
            MeshCredentials credentials,
            Consumer<MeshState> onServed) {
        this.onlyNode = onlyNode;
        this.schemaCheck = schemaCheck;
        this.translator = translator;
        this.snapshots = snapshots;
        this.credentials = credentials;
        this.onServed = onServed;
    }

    @Override
    public synchronized List<Violation> check(StateChange change) {
        List<Violation> violations = EnvoyValidator.validate(change.next(), change.index());
        if (!violations.isEmpty()) return violations;
        try {
            pending = translate(change.next(), change.index());
            return List.of();
        } catch (InvalidStateException e) {
            return e.violations();
        }
    }

    @Override
    public synchronized void program(StateChange change, UndoLog undo) {
        serve(change.next(), Objects.requireNonNull(pending, "check first"));
    }

    @Override
    public synchronized void committed(StateChange change) {
        adopt(pending);
        pending = null;
        onServed.accept(change.next());
    }

    /**
     * Translates {@code state} again with the certificates as they are now and serves it under a new version: what a
     * rotation does. Throws, serving nothing new, when translation fails.
     */
    public synchronized void republish(MeshState state, MeshIndex index) {
        Prepared prepared = translate(state, index);
        serve(state, prepared);
        adopt(prepared);
    }

    /** What is served now: its issuer signs from here on, and its shared resources are what the next check diffs. */
    private void adopt(Prepared served) {
        credentials.use(served.issuer());
        sharedChecks.passed(served.shared());
    }

    /** Translates and checks everything; serves nothing. */
    private Prepared translate(MeshState state, MeshIndex index) {
        try {
            MeshCredentials.Issuer issuer =
                    credentials.forTrustDomain(state.encryption().trustDomain());
            MeshResources shared = translator.shared(state, index);
            issuer.certificates().retain(MeshTranslator.identitiesInUse(state));
            List<String> nodes = state.nodes().stream()
                    .map(Node::name)
                    .filter(n -> onlyNode.isEmpty() || onlyNode.equals(n))
                    .toList();
            Map<String, MeshResources> perNode =
                    new LinkedHashMap<>(translator.forNodes(index, nodes, shared, issuer.certificates()));
            List<Violation> problems = checkResources(shared, perNode);
            if (!problems.isEmpty()) throw new InvalidStateException(problems);
            return new Prepared(issuer, shared, perNode);
        } catch (InvalidStateException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApplyException(
                    "translating the mesh state to Envoy resources failed; the previous snapshots keep serving: " + e,
                    e);
        }
    }

    /**
     * The shared part is checked once, walking only what changed since the last apply ({@link SharedChecks}); each node
     * only for what it adds (its server listeners and secrets).
     */
    private List<Violation> checkResources(MeshResources shared, Map<String, MeshResources> perNode) {
        List<Violation> problems = new ArrayList<>(sharedChecks.check(shared, schemaCheck));
        Set<String> sharedNames = null; // built only if some node has listeners of its own
        Set<com.google.protobuf.Message> good = ConcurrentHashMap.newKeySet();
        for (MeshResources r : perNode.values()) {
            if (!problems.isEmpty()) break;
            if (r.listeners().size() == shared.listeners().size() && r.secrets().isEmpty())
                continue; // nothing of its own
            MeshResources own = new MeshResources(
                    List.of(),
                    List.of(),
                    r.listeners()
                            .subList(shared.listeners().size(), r.listeners().size()),
                    List.of(),
                    r.secrets());
            problems.addAll(EnvoyValidator.uniqueNames(own));
            // A node's own listener must not take the name of a shared one either.
            if (sharedNames == null && !own.listeners().isEmpty()) {
                sharedNames = shared.listeners().stream().map(Listener::getName).collect(Collectors.toSet());
            }
            for (var l : own.listeners()) {
                if (sharedNames.contains(l.getName())) {
                    problems.add(new Violation(
                            "listeners[" + l.getName() + "]", "duplicate listeners name once translated to Envoy"));
                }
            }
            if (schemaCheck) problems.addAll(ProtoSchemaCheck.check(own, good));
        }
        return problems;
    }

    private void serve(MeshState state, Prepared prepared) {
        long next = ++version;
        credentials.writeFiles(
                state, prepared.issuer()); // before serving: a gRPC server given a TLS listener finds its files
        NodeSnapshots.Batch batch = new NodeSnapshots.Batch();
        Map<String, Snapshot> snaps = new LinkedHashMap<>();
        prepared.perNode().forEach((node, r) -> snaps.put(node, snapshots.prepare(node, r, next, batch)));
        snapshots.pack(batch);
        snaps.forEach((node, snap) ->
                snapshots.serve(node, snap, batch, prepared.perNode().get(node)));
        for (String gone : snapshots.nodes()) {
            if (!prepared.perNode().containsKey(gone)) snapshots.remove(gone);
        }
    }
}
