package io.nodemesh.envoy.internal.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.controlplane.cache.Resources.ApiVersion;
import io.envoyproxy.controlplane.server.serializer.ProtoResourcesSerializer;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Packs each served resource into an {@code Any} once per apply, shared by every client of every node.
 * <p>
 * java-control-plane's {@code CachedProtoResourcesSerializer} looks each resource up in a Guava cache by
 * {@code equals} on every response to every client (2.2 million lookups for one full config to 100 clients, a
 * profile's largest single item); here the lookup is by identity in a map built before the apply is served, from the
 * previous one where the message object is unchanged. The {@code Any}'s type URL is also turned into bytes once, so
 * writing a response per client is a copy of ready bytes rather than UTF-8 encoding 10,000 type URLs again.
 * <p>
 * A resource not in the map (a rolled-back snapshot's) is packed on the spot: correct, only not shared.
 */
public final class PackedResources implements ProtoResourcesSerializer {
    /**
     * By {@code equals}, which is identity first and a memoized hash: an equal message has the same bytes, so sharing
     * its {@code Any} is correct. Concurrent, because an apply adds to it while responses are being written.
     */
    private volatile Map<Message, Any> packed = new java.util.concurrent.ConcurrentHashMap<>();

    /** Makes {@code resources} (all of this apply's) the packed set, packing only message objects not packed before. */
    public synchronized void pack(Collection<? extends Message> resources) {
        sweep(resources);
    }

    /**
     * Adds {@code fresh} (what this apply versioned anew; the rest was packed before), so an apply costs in proportion to
     * what changed. Resources no longer served stay until the map holds twice what is served, then {@code served}
     * (everything now served) rebuilds it.
     */
    public synchronized void pack(
            List<? extends Message> fresh,
            java.util.function.Supplier<? extends Collection<? extends Message>> served) {
        Map<Message, Any> now = packed;
        for (Message m : fresh) if (!now.containsKey(m)) now.put(m, packOnce(m));
        servedEstimate = Math.max(servedEstimate, fresh.size());
        if (now.size() > 2 * servedEstimate + 1024) {
            Collection<? extends Message> all = served.get();
            servedEstimate = all.size();
            sweep(all);
        }
    }

    private int servedEstimate;

    /** Keeps only {@code served}'s entries, packing those missing. */
    private void sweep(Collection<? extends Message> served) {
        Map<Message, Any> before = packed;
        Map<Message, Any> next = new java.util.concurrent.ConcurrentHashMap<>(served.size() * 2);
        for (Message m : served) {
            Any any = before.get(m);
            next.put(m, any != null ? any : packOnce(m));
        }
        servedEstimate = served.size();
        packed = next;
    }

    @Override
    public Any serialize(Message resource, ApiVersion apiVersion) {
        Any any = packed.get(resource);
        return any != null ? any : packOnce(resource);
    }

    /** A shared complete answer is packed once for all the clients it goes to. */
    @Override
    public Collection<Any> serialize(Collection<? extends Message> resources, ApiVersion apiVersion) {
        if (resources instanceof CompleteAnswers.Answer answer) return answer.packed(list -> packAll(list, apiVersion));
        return packAll(resources, apiVersion);
    }

    private List<Any> packAll(Collection<? extends Message> resources, ApiVersion apiVersion) {
        List<Any> out = new java.util.ArrayList<>(resources.size());
        for (Message m : resources) out.add(serialize(m, apiVersion));
        return out;
    }

    private static Any packOnce(Message m) {
        Any any = Any.pack(m);
        any.getTypeUrlBytes(); // memoizes the UTF-8 bytes in the message; later writes copy them
        return any;
    }

    int size() {
        return packed.size();
    }
}
