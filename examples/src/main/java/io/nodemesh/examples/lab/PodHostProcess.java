package io.nodemesh.examples.lab;

import io.nodemesh.netlab.ChildProcess;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/** The lab's side of one node's {@link PodHost}: sends commands, matches each answer to its command by id. */
final class PodHostProcess implements AutoCloseable {
    /** An answer: {@code ok} with the rest of the line, or a failure with its reason. */
    record Answer(boolean ok, String text) {}

    private final String node;
    private final ChildProcess child;
    private final PrintStream in;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<Answer>> pending = new ConcurrentHashMap<>();
    /** Answered by the pod JVM's first line ({@code 0 ok ready}). */
    private final CompletableFuture<Answer> ready = new CompletableFuture<>();

    private PodHostProcess(String node, ChildProcess child) {
        this.node = node;
        this.child = child;
        this.in = new PrintStream(child.process().getOutputStream(), true, StandardCharsets.US_ASCII);
        pending.put(0L, ready);
        Thread.ofPlatform().daemon().name("podhost-" + node).start(this::readAnswers);
    }

    /** Starts the node's pod JVM in {@code netns} and {@code cgroup}, pinned to CPU 0, and waits until it answers. */
    static PodHostProcess start(String node, Path netns, Path cgroup, Path log) {
        List<String> argv = ChildJvm.inNodeAndCgroup(
                netns,
                cgroup,
                prepend(List.of("taskset", "-c", "0"), ChildJvm.java(PodHost.class.getName(), List.of(), List.of())));
        ChildProcess child = ChildProcess.start(
                "pods of " + node,
                new ProcessBuilder(argv).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())));
        PodHostProcess p = new PodHostProcess(node, child);
        try {
            Answer a = p.await(p.ready, 60);
            if (!a.ok()) throw new IllegalStateException("the pods of " + node + " did not start: " + a.text());
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private static List<String> prepend(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }

    private void readAnswers() {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(child.process().getInputStream(), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                String[] w = line.split(" ", 3);
                if (w.length < 2) continue;
                CompletableFuture<Answer> f = pending.remove(Long.parseLong(w[0]));
                if (f != null) f.complete(new Answer(w[1].equals("ok"), w.length > 2 ? w[2] : ""));
            }
        } catch (IOException | NumberFormatException e) {
            // the process is gone; the pending commands fail below
        }
        pending.values().forEach(f -> f.complete(new Answer(false, "the pod process of " + node + " exited")));
    }

    /** Sends {@code verb args} and waits for its answer (at most {@code timeoutSeconds}: only a hung lab waits so). */
    Answer send(int timeoutSeconds, String verb, Object... args) {
        long id = ids.incrementAndGet();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        pending.put(id, answer);
        StringBuilder line = new StringBuilder().append(id).append(' ').append(verb);
        for (Object a : args) line.append(' ').append(a);
        synchronized (in) {
            in.println(line);
        }
        return await(answer, timeoutSeconds);
    }

    /** As {@link #send}, failing with the reason when the answer is not ok. */
    String sendOk(int timeoutSeconds, String verb, Object... args) {
        Answer a = send(timeoutSeconds, verb, args);
        if (!a.ok()) throw new IllegalStateException(node + ": " + verb + " failed: " + a.text());
        return a.text();
    }

    private Answer await(CompletableFuture<Answer> answer, int timeoutSeconds) {
        try {
            return answer.get(timeoutSeconds, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(
                    "the pod process of " + node + " did not answer within " + timeoutSeconds + " s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for the pods of " + node, e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public void close() {
        in.close(); // it exits when its stdin closes
        child.close();
    }
}
