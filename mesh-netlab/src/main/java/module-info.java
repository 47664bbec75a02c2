/**
 * A small network lab on the real kernel: commands with a timeout and errors that name them, network namespaces,
 * veth pairs, bridges, addresses and routes, supervised child processes, and per-run name prefixes whose stale
 * leftovers can be swept. Used by the modules that build real networks (calibration, WireGuard) and their tests.
 * <p>
 * {@link io.nodemesh.netlab.Netns#call} enters a namespace with {@code setns(2)} through FFM, in
 * {@link io.nodemesh.netlab.Setns}, nodemesh's one binding of it (mesh-ebpf enters namespaces by path through it too):
 * run with {@code --enable-native-access=io.nodemesh.netlab} (or {@code ALL-UNNAMED} on the class path).
 */
module io.nodemesh.netlab {
    exports io.nodemesh.netlab;
}
