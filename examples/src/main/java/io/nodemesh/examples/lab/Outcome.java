package io.nodemesh.examples.lab;

/** What one lab exchange came to: the backend reached with its timings, or the failure (a refused connect too). */
sealed interface Outcome {
    record Reached(PodClient.Result result) implements Outcome {}

    record Failed(String reason) implements Outcome {}

    /** Runs {@code kind} from {@code from} to {@code ip:port} with {@code messages} round trips of {@code bytes}. */
    static Outcome of(Lab lab, PodCommand.Kind kind, From from, String ip, int port, int messages, int bytes) {
        PodHostProcess.Answer a =
                lab.podHost(from.node().name()).send(120, kind.name(), from.name(), ip, port, messages, bytes);
        return a.ok() ? new Reached(PodClient.Result.parse(a.text())) : new Failed(a.text());
    }
}
