package io.nodemesh.agent;

import io.nodemesh.api.DataplaneOptions;
import io.nodemesh.envoy.Bootstraps;
import io.nodemesh.envoy.EnvoyOptions;
import io.nodemesh.envoy.XdsSecurity;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code nodemesh bootstrap}: the node Envoy's bootstrap (or a proxyless gRPC process's), from the same node name,
 * {@code --ca-dir} and {@code --option}s the agent is given, so the client finds the agent's xDS server, and the xDS
 * client credentials the agent writes for the node, without a second copy of its settings.
 */
@Command(
        name = "bootstrap",
        mixinStandardHelpOptions = true,
        description = "Print the node Envoy's bootstrap (JSON, for envoy -c) or a proxyless gRPC bootstrap from the"
                + " agent's flags.")
public final class BootstrapCommand implements Callable<Integer> {
    /** Which xDS client the bootstrap is for. */
    enum Client {
        envoy,
        grpc
    }

    /** How often a gRPC client re-reads its xDS credential files (they are re-issued on a CA reload). */
    private static final java.time.Duration GRPC_REFRESH = java.time.Duration.ofMinutes(1);

    @Option(
            names = "--for",
            description = "The xDS client: envoy (the node proxy, default) or grpc (GRPC_XDS_BOOTSTRAP_CONFIG for a"
                    + " proxyless process; its mTLS channel creds need mesh-xds-client on the process's path).",
            defaultValue = "envoy")
    Client client;

    @Option(
            names = "--ca-dir",
            description = "The mesh CA directory given to the agent (envoy.caDir): the agent writes the node's xDS"
                    + " client credentials under it, in xds+<node>/, unless envoy.credentialsDir is set.")
    String caDir;

    @Option(names = "--node", description = "This node's name (default: $NODE_NAME, else the host name).")
    String node;

    @Option(
            names = "--proxy-port",
            description = "The node proxy's outbound listener port, as given to the agent (envoy.outboundPort).")
    Integer proxyPort;

    @Option(
            names = "--admin-port",
            description = "Envoy's admin port on 127.0.0.1 (default: ${DEFAULT-VALUE}).",
            defaultValue = "9901")
    int adminPort;

    @Option(
            names = {"--option", "--property"},
            description = "The agent's backend settings key=value; the envoy.* ones are read (xdsHost, xdsPort,"
                    + " xdsSecurity, caDir, credentialsDir).")
    Map<String, String> properties = new java.util.LinkedHashMap<>();

    @Option(
            names = "--output-file",
            description = "Write the bootstrap to this file (atomically) instead of stdout, e.g. into a shared volume.")
    Path outputFile;

    PrintStream out = System.out;
    PrintStream err = System.err;

    @Override
    public Integer call() throws Exception {
        String nodeName = node != null
                ? node
                : System.getenv()
                        .getOrDefault("NODE_NAME", InetAddress.getLocalHost().getHostName());
        NodeFlags flags = new NodeFlags(null, proxyPort, null, null, null, null, null, null, caDir);
        DataplaneOptions options;
        switch (NodeDataplaneSettings.assemble(List.of("envoy"), nodeName, flags, properties)) {
            case NodeDataplaneSettings.Assembly.Refused(List<String> problems) -> {
                err.println("the options do not fit together: " + String.join("; ", problems));
                return 2;
            }
            case NodeDataplaneSettings.Assembly.Ready ready -> options = ready.options();
        }
        EnvoyOptions envoy;
        DataplaneOptions envoyOnly;
        try {
            // Only Envoy's own settings matter here; the agent's others (ebpf.*, wireguard.*) may be passed along.
            Map<String, String> own = new java.util.TreeMap<>(options.properties());
            own.keySet().removeIf(k -> !k.startsWith("envoy."));
            envoyOnly = new DataplaneOptions(nodeName, own);
            envoyOnly.requireKnown("envoy", EnvoyOptions.OPTIONS);
            envoy = EnvoyOptions.from(envoyOnly);
        } catch (IllegalArgumentException | io.nodemesh.api.DataplaneException e) {
            err.println(e.getMessage());
            return 2;
        }
        if (envoy.xdsPort() == 0) {
            err.println("envoy.xdsPort is 0 (a port the OS picks at agent start): give the agent and this command the"
                    + " same fixed --option envoy.xdsPort=PORT");
            return 2;
        }
        if (adminPort < 1 || adminPort > 65535) {
            err.println("--admin-port " + adminPort + " is not a port (1..65535)");
            return 2;
        }
        Path credentials = EnvoyOptions.xdsClientCredentialsDir(envoyOnly).orElse(null);
        if (envoy.xdsSecurity() == XdsSecurity.MTLS && credentials == null) {
            err.println("xDS is mTLS (envoy.xdsSecurity=mtls, the default) and the client needs node " + nodeName
                    + "'s xDS credentials, which the agent writes under its CA directory: pass the agent's --ca-dir DIR"
                    + " (or its --option envoy.credentialsDir=DIR), or --option envoy.xdsSecurity=plaintext for a"
                    + " loopback xDS server");
            return 2;
        }
        String host = connectHost(envoy.xdsHost());
        String json = client == Client.grpc
                ? Bootstraps.grpcJson(new Bootstraps.GrpcSpec(
                                nodeName, nodeName, host, envoy.xdsPort(), credentials, null, GRPC_REFRESH))
                        .strip()
                : Bootstraps.envoyJson(new Bootstraps.EnvoySpec(
                        nodeName, "nodemesh", nodeName, host, envoy.xdsPort(), adminPort, credentials));
        if (outputFile == null) {
            out.println(json);
            return 0;
        }
        try {
            Path tmp = outputFile.resolveSibling("." + outputFile.getFileName() + ".tmp");
            Files.writeString(tmp, json + "\n");
            Files.move(tmp, outputFile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            err.println("cannot write the bootstrap to " + outputFile.toAbsolutePath() + ": " + e.getMessage());
            return 1;
        }
        out.println("wrote the " + (client == Client.grpc ? "gRPC" : "Envoy") + " bootstrap for node " + nodeName
                + " (xDS at " + host + ":" + envoy.xdsPort() + ", "
                + (credentials == null ? "plain text" : "mTLS with " + credentials) + ") to " + outputFile);
        return 0;
    }

    /** The agent may listen on every address; Envoy on the same node then connects over loopback. */
    private static String connectHost(String listenHost) {
        return switch (listenHost) {
            case "0.0.0.0", "" -> "127.0.0.1";
            case "::", "[::]" -> "::1";
            default -> listenHost;
        };
    }
}
