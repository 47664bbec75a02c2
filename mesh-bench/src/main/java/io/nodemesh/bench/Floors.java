package io.nodemesh.bench;

import io.nodemesh.api.state.Endpoint;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.api.state.Service;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The trivial versions of each hot path, on the same data: the least any implementation must do, so a result divided
 * by its floor says how much more than that it does.
 */
final class Floors {
    private Floors() {}

    /** Touches every service and endpoint once and copies them: what any pass over the whole state costs at least. */
    static List<Endpoint> copy(MeshState state) {
        List<Endpoint> all = new ArrayList<>(state.services().size() * BenchStates.BACKENDS);
        for (Service s : state.services()) {
            for (Endpoint e : s.endpoints()) all.add(new Endpoint(e.ip(), e.workload(), e.state()));
        }
        return all;
    }

    /** Every service by key: the least an index of the state costs. */
    static Map<String, Service> byKey(MeshState state) {
        Map<String, Service> m = new HashMap<>(state.services().size() * 2);
        for (Service s : state.services()) m.put(s.key(), s);
        return m;
    }

    /** Compares every service with an equal copy made of other objects: the least a diff of the state costs. */
    static boolean sameServices(MeshState a, List<Service> equalCopy) {
        return a.services().equals(equalCopy);
    }

    /** A plain binary encoding of every service's name, VIPs, ports and endpoints: the least a wire format costs. */
    static byte[] serialize(MeshState state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(state.services().size() * 256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            for (Service s : state.services()) {
                out.writeUTF(s.namespace());
                out.writeUTF(s.name());
                for (String vip : s.vips()) out.writeUTF(vip);
                for (var p : s.ports()) out.writeInt(p.port() << 16 | p.targetPort());
                out.writeInt(s.endpoints().size());
                for (Endpoint e : s.endpoints()) {
                    out.writeUTF(e.ip());
                    out.writeByte(e.state().ordinal());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
