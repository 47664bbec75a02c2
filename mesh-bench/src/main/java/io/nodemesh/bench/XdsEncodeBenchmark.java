package io.nodemesh.bench;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.nodemesh.api.state.MeshState;
import io.nodemesh.envoy.internal.translate.MeshResources;
import io.nodemesh.envoy.internal.translate.MeshTranslator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The xDS steps of an Envoy apply one by one, without the dataplane around them: translating the state into
 * cluster-wide resources (from scratch, and incrementally after one endpoint changed), packing every resource into an
 * {@code Any}, and encoding the four state-of-the-world responses one client receives. mesh-bench runs on the class
 * path, so mesh-envoy's internal translator is reachable here although its module does not export it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class XdsEncodeBenchmark {
    private static final int OUTBOUND_PORT = 15001;

    @Param({"1000", "10000"})
    public int services;

    private MeshState state;
    private MeshState changed;
    private MeshTranslator incremental;
    private boolean flip;
    private MeshResources translated;
    private List<List<Any>> packed;

    @Setup
    public void setUp() {
        state = BenchStates.mesh(services);
        changed = BenchStates.oneEndpointChanged(state, services / 2);
        incremental = new MeshTranslator(OUTBOUND_PORT);
        incremental.shared(state);
        translated = new MeshTranslator(OUTBOUND_PORT).shared(state);
        packed = pack(translated);
    }

    /** Every cluster-wide resource from scratch: a fresh translator has nothing cached. */
    @Benchmark
    public MeshResources translate() {
        return new MeshTranslator(OUTBOUND_PORT).shared(state);
    }

    /** One endpoint flips each call: only the replaced service is translated again. */
    @Benchmark
    public MeshResources translateOneChange() {
        flip = !flip;
        return incremental.shared(flip ? changed : state);
    }

    /** Every resource serialized into an {@code Any}: what a first apply packs once for all clients. */
    @Benchmark
    public List<List<Any>> pack() {
        return pack(translated);
    }

    /** The four responses (CDS, EDS, LDS, RDS) of a first full config for one client, from the packed resources. */
    @Benchmark
    public long encodeOneClient() {
        return encode(packed);
    }

    @Benchmark
    public byte[] floor() {
        return Floors.serialize(state);
    }

    private static List<List<Any>> pack(MeshResources r) {
        List<List<Any>> out = new ArrayList<>(4);
        for (List<? extends Message> list : List.of(r.clusters(), r.endpoints(), r.listeners(), r.routes())) {
            List<Any> anys = new ArrayList<>(list.size());
            for (Message m : list) anys.add(Any.pack(m));
            out.add(anys);
        }
        return out;
    }

    private static long encode(List<List<Any>> packed) {
        long written = 0;
        try {
            for (List<Any> anys : packed) {
                DiscoveryResponse response = DiscoveryResponse.newBuilder()
                        .setVersionInfo("1")
                        .setNonce("1")
                        .addAllResources(anys)
                        .build();
                response.writeTo(OutputStream.nullOutputStream());
                written += response.getSerializedSize();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return written;
    }
}
