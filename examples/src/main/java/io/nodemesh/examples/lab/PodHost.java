package io.nodemesh.examples.lab;

import io.nodemesh.netlab.Netns;
import io.nodemesh.netlab.NetnsThread;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pods of one lab node, in a JVM of its own that the lab starts inside the node's namespace and cgroup: one
 * {@link NetnsThread} per pod that has also moved itself into the pod's (threaded) cgroup, so every socket it makes —
 * the pod's servers and its client connections — belongs to that pod's namespace and cgroup, as a socket of a real
 * pod would. Pod processes per node instead of per pod keep a 100-pod lab to a few JVMs.
 * <p>
 * It reads one command a line on stdin, {@code <id> <verb> <args…>} (see {@link PodCommand}), runs each on a thread
 * of its own and answers {@code <id> ok …} or {@code <id> fail <reason>} on stdout.
 */
public final class PodHost {
    private final Map<String, NetnsThread> threads = new ConcurrentHashMap<>();
    private final Map<String, PodClient.Loop> loops = new ConcurrentHashMap<>();
    private final List<PodServers> servers = new ArrayList<>();
    private final PrintStream out;

    private PodHost(PrintStream out) {
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.US_ASCII);
        PodHost host = new PodHost(out);
        out.println("0 ok ready");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = in.readLine()) != null; ) {
            String[] words = line.strip().split(" ");
            if (words.length < 2) continue;
            if (words[1].equals("quit")) break;
            // a platform thread: the round trips it times must not wait on the virtual-thread poller
            Thread.ofPlatform().daemon().start(() -> host.answer(words));
        }
        // stdin closed: the lab is gone, so are we
        System.exit(0);
    }

    private void answer(String[] words) {
        String id = words[0];
        String reply;
        try {
            reply = "ok " + run(PodCommand.parse(words));
        } catch (Exception e) {
            reply = "fail " + (e.getMessage() == null ? e.toString() : e.getMessage()).replace('\n', ' ');
        }
        synchronized (out) {
            out.println(id + " " + reply);
        }
    }

    private String run(PodCommand command) throws Exception {
        return switch (command) {
            case PodCommand.Pod(String name, String netns, String cgroup, String ip) -> {
                NetnsThread t = new NetnsThread(Netns.named(netns));
                PodServers s = t.call(() -> {
                    if (!cgroup.equals("-")) joinThreadedCgroup(Path.of(cgroup));
                    return new PodServers(name, ip);
                });
                s.start();
                synchronized (servers) {
                    servers.add(s);
                }
                threads.put(name, t);
                yield name;
            }
            case PodCommand.Host(String netns) -> {
                threads.put(PodCommand.HOST, new NetnsThread(Netns.named(netns)));
                yield PodCommand.HOST;
            }
            case PodCommand.Exchange x ->
                PodClient.exchange(thread(x.from()), x).toLine();
            case PodCommand.LoopStart(String loopId, String from, String ip, int port) -> {
                loops.put(loopId, PodClient.Loop.start(thread(from), ip, port));
                yield loopId;
            }
            case PodCommand.LoopStop(String loopId) -> {
                PodClient.Loop loop = loops.remove(loopId);
                if (loop == null) throw new IllegalArgumentException("no loop " + loopId);
                yield loop.stop();
            }
            case PodCommand.LoopPeek(String loopId) -> {
                PodClient.Loop loop = loops.get(loopId);
                if (loop == null) throw new IllegalArgumentException("no loop " + loopId);
                yield loop.describe();
            }
        };
    }

    private NetnsThread thread(String from) {
        NetnsThread t = threads.get(from);
        if (t == null) throw new IllegalArgumentException("no pod '" + from + "' on this node");
        return t;
    }

    /**
     * Moves the calling thread (not the process) into {@code cgroup}, a threaded cgroup below the node's: sockets are
     * tagged with their creating thread's cgroup, which is how the eBPF programs tell pods apart by cgroup.
     */
    private static void joinThreadedCgroup(Path cgroup) throws IOException {
        String self = Files.readSymbolicLink(Path.of("/proc/thread-self")).toString(); // "<pid>/task/<tid>"
        String tid = self.substring(self.lastIndexOf('/') + 1);
        Files.writeString(cgroup.resolve("cgroup.threads"), tid);
    }
}
