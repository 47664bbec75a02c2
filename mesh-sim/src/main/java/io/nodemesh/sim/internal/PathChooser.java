package io.nodemesh.sim.internal;

import io.nodemesh.api.FlowPath;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshIndex;
import io.nodemesh.api.state.Node;
import java.util.Optional;

/** Which way an allowed connection's bytes go, given where both ends live. Mirrors the eBPF, Envoy and WireGuard backends. */
final class PathChooser {
    private PathChooser() {}

    /** A path, or a refusal when strict encryption forbids the only way there is. */
    sealed interface Choice {
        record Go(FlowPath path) implements Choice {}

        record Refuse(String reason) implements Choice {}
    }

    /**
     * @param clientNode  the client's node
     * @param backendNode the backend workload's node, or empty for an address outside every workload
     * @param l7          whether the service needs the node proxy
     */
    static Choice choose(MeshIndex index, String clientNode, Optional<String> backendNode, boolean l7) {
        // The node proxy terminates L7 services whichever node the backend is on (the eBPF backend steers them to it).
        if (l7) return new Choice.Go(FlowPath.NODE_PROXY);
        if (backendNode.isEmpty()) return new Choice.Go(FlowPath.KERNEL_STACK);
        // sockops sees both sockets of a same-node connection and sk_msg hands bytes across, skipping the stack.
        if (backendNode.get().equals(clientNode)) return new Choice.Go(FlowPath.SOCKET_REDIRECT);
        EncryptionSpec enc = index.state().encryption();
        return switch (enc.mode()) {
            case NONE -> new Choice.Go(FlowPath.KERNEL_STACK);
            case MTLS -> new Choice.Go(FlowPath.NODE_PROXY);
            case WIREGUARD -> {
                String missing = !hasKey(index, clientNode)
                        ? clientNode
                        : !hasKey(index, backendNode.get()) ? backendNode.get() : null;
                if (missing == null) yield new Choice.Go(FlowPath.ENCRYPTED_TUNNEL);
                // Without a key on both ends there is no tunnel: strict mode fails closed, otherwise it goes in clear.
                yield enc.strict()
                        ? new Choice.Refuse("strict encryption: node " + missing
                                + " has no WireGuard key, so traffic would leave in clear")
                        : new Choice.Go(FlowPath.KERNEL_STACK);
            }
        };
    }

    private static boolean hasKey(MeshIndex index, String node) {
        return index.node(node)
                .map(Node::wireguardPublicKey)
                .filter(k -> !k.isEmpty())
                .isPresent();
    }
}
