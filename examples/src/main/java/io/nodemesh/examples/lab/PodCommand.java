package io.nodemesh.examples.lab;

/** One line of the {@link PodHost} protocol, {@code <id> <verb> <args…>}, parsed; bad lines fail naming the line. */
sealed interface PodCommand {
    /** The {@code from} of a client living on the node itself, outside every pod. */
    String HOST = "host";

    /** Start pod {@code name}'s servers on {@code ip} in {@code netns} and {@code cgroup} ({@code -}: none). */
    record Pod(String name, String netns, String cgroup, String ip) implements PodCommand {}

    /** A client thread in the node's own namespace, named {@link #HOST}. */
    record Host(String netns) implements PodCommand {}

    /** Traffic kinds of an {@link Exchange}. */
    enum Kind {
        tcp,
        udp,
        http
    }

    /**
     * One connection (or UDP socket) from {@code from} to {@code ip:port}: learns the backend, then {@code messages}
     * round trips of {@code bytes} each, each timed.
     */
    record Exchange(Kind kind, String from, String ip, int port, int messages, int bytes) implements PodCommand {}

    /** New connections from {@code from} to {@code ip:port} in a loop until stopped, each asking its backend. */
    record LoopStart(String loop, String from, String ip, int port) implements PodCommand {}

    record LoopStop(String loop) implements PodCommand {}

    /** What a running loop has seen so far, without stopping it. */
    record LoopPeek(String loop) implements PodCommand {}

    static PodCommand parse(String[] w) {
        try {
            return switch (w[1]) {
                case "pod" -> new Pod(w[2], w[3], w[4], w[5]);
                case "host" -> new Host(w[2]);
                case "tcp", "udp", "http" ->
                    new Exchange(
                            Kind.valueOf(w[1]),
                            w[2],
                            w[3],
                            Integer.parseInt(w[4]),
                            Integer.parseInt(w[5]),
                            Integer.parseInt(w[6]));
                case "loop-start" -> new LoopStart(w[2], w[3], w[4], Integer.parseInt(w[5]));
                case "loop-stop" -> new LoopStop(w[2]);
                case "loop-peek" -> new LoopPeek(w[2]);
                default -> throw new IllegalArgumentException("unknown verb '" + w[1] + "'");
            };
        } catch (ArrayIndexOutOfBoundsException | NumberFormatException e) {
            throw new IllegalArgumentException("bad command '" + String.join(" ", w) + "': " + e.getMessage(), e);
        }
    }
}
