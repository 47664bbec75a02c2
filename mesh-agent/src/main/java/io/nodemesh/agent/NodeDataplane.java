package io.nodemesh.agent;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.MeshDataplane;
import io.nodemesh.api.spi.Availability;
import io.nodemesh.api.spi.DataplaneProvider;
import io.nodemesh.ebpf.EbpfDataplane;
import io.nodemesh.wireguard.WireguardDataplane;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.stream.Collectors;

/**
 * The backends of one node, opened one by one and composed ({@link Dataplanes#compose(List)}) so each capability is
 * served by the backend that has it. The parts are kept because they stop differently: pinned eBPF keeps serving
 * after the agent unless uninstalled, wireguard-go is the agent's child and goes with it, Envoy keeps its last config.
 */
final class NodeDataplane {
    private final List<MeshDataplane> parts;
    private final MeshDataplane composed;
    private final DataplaneOptions options;

    private NodeDataplane(List<MeshDataplane> parts, DataplaneOptions options) {
        this.parts = List.copyOf(parts);
        this.options = options;
        this.composed = Dataplanes.compose(this.parts);
    }

    /** What opening gave: the node's dataplane, or why not with the agent's exit code (2: bad name, 1: cannot run here). */
    sealed interface Opening {
        record Opened(NodeDataplane node) implements Opening {}

        record Failed(int exitCode, List<String> reasons) implements Opening {}
    }

    /** Checks every name and every availability before opening anything, so all reasons are reported together. */
    static Opening open(List<String> backends, DataplaneOptions options) {
        Map<String, DataplaneProvider> providers = Dataplanes.providers();
        List<String> unknown = backends.stream()
                .filter(b -> !providers.containsKey(b))
                .map(b -> "no dataplane backend named '" + b + "'; known: " + String.join(", ", providers.keySet()))
                .toList();
        if (!unknown.isEmpty()) return new Opening.Failed(2, unknown);
        List<String> unavailable = new ArrayList<>();
        for (String b : backends) {
            if (providers.get(b).availability(options) instanceof Availability.Unavailable(String reason)) {
                unavailable.add("backend '" + b + "' is unavailable: " + reason);
            }
        }
        if (!unavailable.isEmpty()) return new Opening.Failed(1, unavailable);
        // The backends share nothing while opening (eBPF loads its objects, wireguard-go is adopted or started):
        // open them all at once, each on a platform thread of its own, and keep the order they were named in.
        List<CompletableFuture<MeshDataplane>> opening = new ArrayList<>();
        for (String b : backends) {
            CompletableFuture<MeshDataplane> f = new CompletableFuture<>();
            Thread.ofPlatform().name("nodemesh-open-" + b).start(() -> {
                try {
                    f.complete(providers.get(b).open(options));
                } catch (RuntimeException | Error e) {
                    f.completeExceptionally(e);
                }
            });
            opening.add(f);
        }
        List<MeshDataplane> opened = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Error error = null;
        for (int i = 0; i < backends.size(); i++) { // every one is waited for, so none is left open behind a failure
            try {
                opened.add(opening.get(i).join());
            } catch (CompletionException e) {
                if (e.getCause() instanceof Error err) error = err;
                else
                    reasons.add("cannot open the " + backends.get(i) + " backend: "
                            + e.getCause().getMessage());
            }
        }
        if (error != null) {
            for (MeshDataplane dp : opened.reversed()) stopOne(dp, true, options);
            throw error;
        }
        if (!reasons.isEmpty()) {
            // The ones that opened go again; a fresh eBPF installation is not left pinned by a failed start.
            for (MeshDataplane dp : opened.reversed()) reasons.addAll(stopOne(dp, true, options));
            return new Opening.Failed(1, reasons);
        }
        try {
            return new Opening.Opened(new NodeDataplane(opened, options));
        } catch (RuntimeException | Error e) {
            // Nothing may outlive a start that failed: wireguard-go is a child process, eBPF pins would stay.
            for (MeshDataplane dp : opened.reversed()) stopOne(dp, true, options);
            throw e;
        }
    }

    /** The composed dataplane the agent applies to. */
    MeshDataplane dataplane() {
        return composed;
    }

    /** Which backend serves each capability, e.g. {@code L7_ROUTING=envoy, NODE_ENCRYPTION=wireguard}. */
    String assignment() {
        return assignmentByName().entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(", "));
    }

    /** Capability name to the backend that serves it, in capability order. */
    Map<String, String> assignmentByName() {
        Map<String, String> byName = new java.util.LinkedHashMap<>();
        Dataplanes.assignment(parts).forEach((capability, backend) -> byName.put(capability.name(), backend));
        return byName;
    }

    /** This node's WireGuard public key when the wireguard backend is composed: what the node should publish. */
    Optional<String> wireguardPublicKey() {
        return parts.stream()
                .filter(p -> p instanceof WireguardDataplane)
                .map(p -> ((WireguardDataplane) p).publicKey().base64())
                .findFirst();
    }

    /**
     * Stops every backend, last opened first, and says what keeps serving. With {@code uninstall} eBPF's programs are
     * detached and its pins removed, and every other backend is given the empty state before it is closed.
     */
    List<String> stop(boolean uninstall) {
        List<String> lines = new ArrayList<>();
        for (MeshDataplane dp : parts.reversed()) lines.addAll(stopOne(dp, uninstall, options));
        return lines;
    }

    private static List<String> stopOne(MeshDataplane dp, boolean uninstall, DataplaneOptions options) {
        List<String> lines = new ArrayList<>();
        try {
            switch (dp) {
                case EbpfDataplane ebpf
                when uninstall -> {
                    String pins = ebpf.settings().pinRoot().toString();
                    ebpf.uninstall();
                    lines.add("ebpf: uninstalled: programs detached, pins under " + pins + " removed");
                }
                case EbpfDataplane ebpf -> {
                    ebpf.close();
                    lines.add("ebpf: still running: programs stay attached at "
                            + ebpf.settings().cgroupRoot() + " and pinned under "
                            + ebpf.settings().pinRoot()
                            + ", serving what was programmed (restart the agent to manage it, "
                            + "or stop it with --uninstall to remove it)");
                }
                case WireguardDataplane wg
                when uninstall -> {
                    wg.close();
                    lines.add(WireguardDataplane.uninstall(options).toString());
                }
                case WireguardDataplane wg -> {
                    wg.close();
                    lines.add("wireguard: still running: wireguard-go and " + wg.interfaceName()
                            + " (with the strict-mode table, if any) keep traffic encrypted; the next agent adopts"
                            + " them (stop it with --uninstall to remove them)");
                }
                default -> {
                    if (uninstall) dp.apply(io.nodemesh.api.state.MeshState.EMPTY);
                    dp.close();
                    lines.add(dp.name() + ": "
                            + (uninstall
                                    ? "uninstalled: the empty state was applied, then it stopped"
                                    : "stopped; it kept serving what was programmed while the agent ran"
                                            + (dp.name().equals("envoy")
                                                    ? " (the xDS server is gone; a running Envoy keeps its last configuration)"
                                                    : "")));
                }
            }
        } catch (RuntimeException e) {
            lines.add(dp.name() + ": stopping failed: " + e.getMessage());
        }
        return lines;
    }
}
