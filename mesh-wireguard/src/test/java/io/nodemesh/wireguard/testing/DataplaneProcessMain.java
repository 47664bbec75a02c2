package io.nodemesh.wireguard.testing;

import io.nodemesh.api.ApplyResult;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.Dataplanes;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Node;
import io.nodemesh.wireguard.WireguardDataplane;

/**
 * A node agent in miniature, run as its own JVM by the restart test so it can be killed with SIGKILL: opens the
 * wireguard backend, applies a strict state, prints {@code READY adopted=<bool> generation=<n>}, and runs until its
 * stdin closes (then detaches) or it is killed.
 * <p>
 * Arguments: the node name, then {@code node=<name>,<address>,<podCidr>,<publicKey>} for each node of the state and
 * {@code <option>=<value>} for each backend option.
 */
public final class DataplaneProcessMain {
    private DataplaneProcessMain() {}

    public static void main(String[] args) throws Exception {
        DataplaneOptions options = DataplaneOptions.forNode(args[0]);
        var state = MeshState.builder()
                .encryption(new EncryptionSpec(EncryptionSpec.Mode.WIREGUARD, EncryptionSpec.Enforcement.STRICT, ""));
        for (int i = 1; i < args.length; i++) {
            String a = args[i];
            if (a.startsWith("node=")) {
                String[] f = a.substring("node=".length()).split(",");
                state.node(Node.of(f[0], f[1], f[2]).withWireguardPublicKey(f[3]));
            } else {
                int eq = a.indexOf('=');
                options = options.with(a.substring(0, eq), a.substring(eq + 1));
            }
        }
        try (var dp = (WireguardDataplane) Dataplanes.open("wireguard", options)) {
            boolean adopted = dp.adopted();
            ApplyResult r = dp.apply(state.build());
            System.out.println("READY adopted=" + adopted + " generation=" + r.generation());
            System.out.flush();
            while (System.in.read() >= 0) {
                // run until the parent closes our stdin
            }
        }
    }
}
