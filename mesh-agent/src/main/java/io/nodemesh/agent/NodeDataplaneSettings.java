package io.nodemesh.agent;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.api.state.IpAddresses;
import io.nodemesh.ebpf.EbpfSettings;
import io.nodemesh.wireguard.WireguardSettings;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns the agent's command line into one {@link DataplaneOptions} for every composed backend, and holds the rules that
 * keep the pieces of a node consistent. Everything wrong is reported at once, each problem naming the options involved;
 * nothing is opened until the whole set is right.
 * <ul>
 *   <li>a dedicated flag and an {@code --option} for the same setting must agree;</li>
 *   <li>with {@code ebpf} and {@code envoy} composed, eBPF steers L7 connections to Envoy's outbound listener: so
 *       {@code ebpf.proxyPort} must equal {@code envoy.outboundPort} (one is filled from the other, both default to 15001)
 *       and {@code ebpf.proxyAddress} must be given — Envoy's listener binds every address ({@code 0.0.0.0}), so any
 *       unicast address of the node is its address, but eBPF needs the concrete one pods reach;</li>
 *   <li>a proxy address is a unicast IP literal, and comes with a port (half a proxy steers nowhere);</li>
 *   <li>{@code ebpf.proxyCgroup} lies at or below {@code ebpf.cgroupRoot}: the programs only see what runs under it;</li>
 *   <li>{@code sim} models a whole cluster in memory and is never composed with a node's real backends;</li>
 *   <li>each backend's own parser ({@link EbpfSettings}, {@link WireguardSettings}) accepts its settings.</li>
 * </ul>
 */
final class NodeDataplaneSettings {
    static final int ENVOY_DEFAULT_OUTBOUND_PORT = 15001; // EnvoyOptions' default for envoy.outboundPort
    private static final Set<String> BACKEND_PREFIXES = Set.of("sim", "ebpf", "envoy", "wireguard");

    private NodeDataplaneSettings() {}

    /** The outcome: options to open the backends with (plus notes worth printing), or every problem found. */
    sealed interface Assembly {
        record Ready(List<String> backends, DataplaneOptions options, List<String> notes) implements Assembly {}

        record Refused(List<String> problems) implements Assembly {}
    }

    static Assembly assemble(List<String> backendNames, String node, NodeFlags flags, Map<String, String> options) {
        List<String> problems = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        List<String> backends = backends(backendNames, problems);
        boolean ebpf = backends.contains("ebpf");
        boolean envoy = backends.contains("envoy");

        Map<String, String> props = new TreeMap<>();
        Set<String> conflicting = new HashSet<>(); // reported once, as a flag/option disagreement
        options.forEach((k, v) -> props.put(k.strip(), v.strip()));
        for (NodeFlags.Mapping m : flags.given()) {
            for (String key : m.properties()) {
                String other = props.get(key);
                if (other != null && !other.equals(m.value())) {
                    problems.add(m.flag() + "=" + m.value() + " and --option " + key + "=" + other
                            + " disagree: give the setting once");
                    conflicting.add(key);
                } else {
                    props.put(key, m.value());
                }
            }
        }

        boolean portConflict = conflicting.contains("ebpf.proxyPort") || conflicting.contains("envoy.outboundPort");
        if (ebpf && envoy && !portConflict) steerIntoEnvoy(props, problems, notes);
        // With envoy, a missing address was reported above as what Envoy's steering needs.
        if (ebpf) proxyTarget(props, problems, envoy);
        if (ebpf)
            parse("ebpf", () -> EbpfSettings.from(new DataplaneOptions(node, props)), problems)
                    .ifPresent(s -> cgroups(s, props, problems, notes));
        if (envoy) envoyPort(props, problems);
        if (backends.contains("wireguard"))
            parse("wireguard", () -> WireguardSettings.from(new DataplaneOptions(node, props)), problems);
        for (String raw :
                options.keySet()) { // only the escape hatch: a dedicated flag may serve a backend not composed
            String key = raw.strip();
            int dot = key.indexOf('.');
            String prefix = dot < 0 ? "" : key.substring(0, dot);
            if (BACKEND_PREFIXES.contains(prefix) && !backends.contains(prefix)) {
                notes.add(key + " is ignored: no " + prefix + " backend in --backend " + String.join(",", backends));
            }
        }
        if (!problems.isEmpty()) return new Assembly.Refused(List.copyOf(problems));
        return new Assembly.Ready(backends, new DataplaneOptions(node, props), List.copyOf(notes));
    }

    private static List<String> backends(List<String> names, List<String> problems) {
        List<String> backends = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String n : names) {
            String name = n.strip();
            if (name.isEmpty()) continue;
            if (!seen.add(name)) problems.add("--backend names '" + name + "' twice");
            else backends.add(name);
        }
        if (backends.isEmpty()) problems.add("--backend names no backend (e.g. sim, or ebpf,envoy,wireguard)");
        if (backends.contains("sim") && backends.size() > 1) {
            problems.add(
                    "--backend " + String.join(",", backends) + ": sim simulates a whole cluster in memory and is not "
                            + "composed with a node's backends; use --backend sim alone");
        }
        return List.copyOf(backends);
    }

    /** eBPF's steering target and Envoy's outbound listener are one socket seen from two sides. */
    private static void steerIntoEnvoy(Map<String, String> props, List<String> problems, List<String> notes) {
        String ebpfPort = props.get("ebpf.proxyPort");
        String envoyPort = props.get("envoy.outboundPort");
        if (ebpfPort == null && envoyPort == null) {
            props.put("ebpf.proxyPort", String.valueOf(ENVOY_DEFAULT_OUTBOUND_PORT));
            props.put("envoy.outboundPort", String.valueOf(ENVOY_DEFAULT_OUTBOUND_PORT));
            notes.add("L7 services are steered to Envoy's outbound listener on port " + ENVOY_DEFAULT_OUTBOUND_PORT
                    + " (the default; --proxy-port to change)");
        } else if (ebpfPort == null) {
            props.put("ebpf.proxyPort", envoyPort);
        } else if (envoyPort == null) {
            props.put("envoy.outboundPort", ebpfPort);
        } else if (!ebpfPort.equals(envoyPort)) {
            problems.add("ebpf.proxyPort=" + ebpfPort + " (where eBPF steers L7 connections) and envoy.outboundPort="
                    + envoyPort
                    + " (Envoy's outbound listener) differ: L7 traffic would reach no proxy; give --proxy-port once");
        }
        if (proxyAddress(props).isEmpty()) {
            problems.add(
                    "with the envoy backend, eBPF must know where Envoy listens: give --proxy-address (ebpf.proxyAddress), "
                            + "an address of this node the pods route to, such as the node IP");
        }
    }

    /** A proxy is an address and a port; either alone steers nowhere. */
    private static void proxyTarget(Map<String, String> props, List<String> problems, boolean envoy) {
        String address = proxyAddress(props);
        String port = props.getOrDefault("ebpf.proxyPort", "").strip();
        boolean hasPort = !port.isEmpty() && !port.equals("0");
        if (!address.isEmpty()) {
            Optional<InetAddress> ip = IpAddresses.parse(address);
            if (ip.isEmpty()) {
                problems.add("ebpf.proxyAddress='" + address + "' is not an IP address (--proxy-address)");
            } else if (ip.get().isAnyLocalAddress() || ip.get().isMulticastAddress()) {
                problems.add(
                        "ebpf.proxyAddress=" + address + " cannot be a connect() destination: give a unicast address "
                                + "of this node (Envoy's listener on 0.0.0.0 accepts on every one)");
            }
            if (!hasPort)
                problems.add("ebpf.proxyAddress=" + address + " is given without ebpf.proxyPort (--proxy-port)");
        } else if (hasPort && !envoy) {
            problems.add("ebpf.proxyPort=" + port + " is given without ebpf.proxyAddress (--proxy-address)");
        }
    }

    private static String proxyAddress(Map<String, String> props) {
        String a = props.getOrDefault("ebpf.proxyAddress", "").strip();
        return a.isEmpty() ? props.getOrDefault("ebpf.proxyIp", "").strip() : a;
    }

    private static void cgroups(EbpfSettings s, Map<String, String> props, List<String> problems, List<String> notes) {
        if (!s.pinRoot().isAbsolute())
            problems.add("ebpf.pinRoot=" + s.pinRoot() + " must be an absolute path (--pin-path)");
        if (!s.cgroupRoot().isAbsolute())
            problems.add("ebpf.cgroupRoot=" + s.cgroupRoot() + " must be an absolute path (--cgroup-root)");
        if (s.proxyCgroup().isEmpty()) return;
        Path proxy = Path.of(s.proxyCgroup());
        if (!proxy.isAbsolute()) {
            problems.add("ebpf.proxyCgroup=" + proxy + " must be an absolute path (--proxy-cgroup)");
        } else if (s.cgroupRoot().isAbsolute()
                && !proxy.normalize().startsWith(s.cgroupRoot().normalize())) {
            problems.add(
                    "ebpf.proxyCgroup=" + proxy + " is not below ebpf.cgroupRoot=" + s.cgroupRoot()
                            + ": the programs attached there would never see the proxy's sockets (--proxy-cgroup, --cgroup-root)");
        }
        if (proxyAddress(props).isEmpty())
            notes.add("ebpf.proxyCgroup is set but no proxy is: nothing is steered, so it changes nothing");
    }

    private static void envoyPort(Map<String, String> props, List<String> problems) {
        String v = props.get("envoy.outboundPort");
        if (v == null) return;
        try {
            int p = Integer.parseInt(v);
            if (p < 1 || p > 65535) throw new NumberFormatException();
        } catch (NumberFormatException e) {
            problems.add("envoy.outboundPort=" + v + " is not a port (1..65535)");
        }
    }

    private static <T> Optional<T> parse(String backend, java.util.function.Supplier<T> parser, List<String> problems) {
        try {
            return Optional.of(parser.get());
        } catch (IllegalArgumentException e) {
            problems.add(backend + ": " + e.getMessage());
            return Optional.empty();
        }
    }
}
