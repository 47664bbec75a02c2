package io.nodemesh.agent;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.wireguard.UninstallReport;
import io.nodemesh.wireguard.WireguardDataplane;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh uninstall}: removes what agents leave running on a node on purpose, for the next agent to adopt — the
 * pinned eBPF programs and their cgroup attachments, wireguard-go with its interface, routes and strict-mode table. The
 * eBPF part goes through the agent's own {@code --uninstall} path ({@link NodeDataplane#stop}); WireGuard through
 * {@link WireguardDataplane#uninstall}. Idempotent, and refused while an agent manages the same installation
 * ({@link InstallationLocks}).
 */
@Command(
        name = "uninstall",
        mixinStandardHelpOptions = true,
        description = "Remove the eBPF programs and pins and wireguard-go (with its interface, routes and nft table)"
                + " that agents leave running; refused while an agent runs. Needs root.")
public final class UninstallCommand implements Callable<Integer> {
    @Option(
            names = "--backend",
            description = "What to remove: any of ebpf,wireguard (default: ${DEFAULT-VALUE}).",
            defaultValue = "ebpf,wireguard",
            split = ",")
    List<String> backends;

    @Option(names = "--node", description = "This node's name (default: $NODE_NAME, else the host name).")
    String node;

    @Option(names = "--pin-path", description = "The agent's --pin-path (ebpf.pinRoot, default /sys/fs/bpf/nodemesh).")
    String pinPath;

    @Option(names = "--cgroup-root", description = "The agent's --cgroup-root (ebpf.cgroupRoot).")
    String cgroupRoot;

    @Option(names = "--wireguard-interface", description = "The agent's --wireguard-interface (default nm-wg0).")
    String wireguardInterface;

    @Option(names = "--wireguard-key-file", description = "The agent's --wireguard-key-file (kept unless default).")
    String wireguardKeyFile;

    @Option(
            names = {"--option", "--property"},
            description = "The agent's other backend settings key=value, e.g. wireguard.netns=NAME.")
    Map<String, String> properties = new LinkedHashMap<>();

    @Option(
            names = {"-o", "--output"},
            description = "${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).",
            defaultValue = "text")
    OutputFormat output;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        List<String> unknown = backends.stream()
                .filter(b -> !List.of("ebpf", "wireguard").contains(b))
                .toList();
        if (!unknown.isEmpty()) {
            err.println("--backend " + String.join(",", unknown) + ": only ebpf and wireguard leave anything behind");
            return 2;
        }
        String nodeName = node != null
                ? node
                : System.getenv()
                        .getOrDefault("NODE_NAME", InetAddress.getLocalHost().getHostName());
        NodeFlags flags =
                new NodeFlags(null, null, null, pinPath, cgroupRoot, wireguardInterface, null, wireguardKeyFile);
        DataplaneOptions options;
        switch (NodeDataplaneSettings.assemble(backends, nodeName, flags, properties)) {
            case NodeDataplaneSettings.Assembly.Refused(List<String> problems) -> {
                err.println("the options do not fit together: " + String.join("; ", problems));
                return 2;
            }
            case NodeDataplaneSettings.Assembly.Ready ready -> options = ready.options();
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            err.println("nodemesh uninstall needs root (it detaches eBPF programs and stops wireguard-go)");
            return 1;
        }
        List<Path> lockFiles = InstallationLocks.files(backends, options);
        Optional<Path> held = InstallationLocks.heldByAnAgent(lockFiles);
        if (held.isPresent()) {
            err.println("an agent is running on this node (it holds " + held.get() + "); stop it first");
            return 1;
        }
        Map<String, List<String>> removed = new LinkedHashMap<>();
        Map<String, List<String>> kept = new LinkedHashMap<>();
        List<String> failed = new ArrayList<>();
        if (backends.contains("ebpf")) removed.put("ebpf", ebpf(options, failed));
        if (backends.contains("wireguard")) {
            try {
                UninstallReport r = WireguardDataplane.uninstall(options);
                removed.put("wireguard", r.removed());
                kept.put("wireguard", r.kept());
            } catch (RuntimeException e) {
                failed.add("wireguard: " + e.getMessage());
            }
        }
        if (failed.isEmpty()) InstallationLocks.remove(lockFiles);
        boolean nothing = removed.values().stream().allMatch(List::isEmpty);
        if (output == OutputFormat.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("node", nodeName);
            json.put("removed", removed);
            json.put("kept", kept);
            json.put("failed", failed);
            out.println(new ObjectMapper().writeValueAsString(json));
        } else {
            if (nothing && failed.isEmpty()) out.println("nothing to remove on node " + nodeName);
            removed.forEach((b, lines) -> lines.forEach(l -> out.println(b + ": removed " + l)));
            kept.forEach((b, lines) -> lines.forEach(l -> out.println(b + ": kept " + l)));
        }
        failed.forEach(err::println);
        return failed.isEmpty() ? 0 : 1;
    }

    /** Reattaches to the pins, as a restarted agent would, and leaves through the agent's own uninstall path. */
    private static List<String> ebpf(DataplaneOptions options, List<String> failed) {
        Path pins = EbpfSettings.from(options).pinRoot();
        if (!hasPins(pins)) return List.of();
        switch (NodeDataplane.open(List.of("ebpf"), options)) {
            case NodeDataplane.Opening.Failed(int code, List<String> reasons) -> {
                failed.add("ebpf: cannot take over the pins under " + pins + ": " + String.join("; ", reasons));
                return List.of();
            }
            case NodeDataplane.Opening.Opened(NodeDataplane opened) -> {
                List<String> lines = new ArrayList<>();
                for (String line : opened.stop(true)) {
                    if (line.startsWith("ebpf: uninstalled"))
                        lines.add("programs and cgroup attachments, pins under " + pins);
                    else failed.add(line);
                }
                return lines;
            }
        }
    }

    private static boolean hasPins(Path pins) {
        if (!Files.isDirectory(pins)) return false;
        try (Stream<Path> s = Files.list(pins)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return true; // let the open report what is wrong with it
        }
    }
}
