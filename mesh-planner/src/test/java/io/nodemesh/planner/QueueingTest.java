package io.nodemesh.planner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulation against queueing theory. One node proxy visited twice per request (request and response) with
 * exponential service times (cv = 1) and Poisson arrivals is a BCMP/Kelly product-form network: the FCFS station
 * sees 2λ arrivals, each visit takes the M/M/c sojourn time, and the network delays add as they are (infinite-server
 * stations). So the mean round trip is delays + 2 × (s + Erlang-C wait) — an independent formula the DES must meet.
 */
class QueueingTest {
    private static final int BYTES = 64;

    private static PlannerParameters exponentialWithWorkers(int workers) {
        PlannerParameters d = ParameterFile.defaults().withServiceTimeCv(1.0, "test: exponential");
        ProxyParameters np = d.nodeProxy();
        ProxyParameters one =
                new ProxyParameters(workers, "test", new LinearCost(50, 0, "test"), np.http(), np.mtls(), np.memory());
        return d.withProxies(d.sidecar(), one);
    }

    private static LoadPoint simulate(PlannerParameters p, double rps, long requests) {
        PlanRequest req = new PlanRequest(
                ClusterShape.of(1, 2, 1),
                List.of(Model.parse("node")),
                List.of(rps),
                BYTES,
                requests,
                TrafficPattern.PAIR,
                42);
        return new Planner(p).plan(req, ProgressListener.NONE).loads().getFirst();
    }

    /** Erlang C: probability an arrival waits in an M/M/c queue with offered load a = λs (in servers). */
    private static double erlangC(int c, double a) {
        double sum = 0;
        double term = 1;
        for (int k = 0; k < c; k++) {
            if (k > 0) term *= a / k;
            sum += term;
        }
        double last = term * a / c;
        double rho = a / c;
        double top = last / (1 - rho);
        return top / (sum + top);
    }

    @ParameterizedTest(name = "{0} worker(s), utilization {1}")
    @CsvSource({"1, 0.3", "1, 0.7", "2, 0.5", "2, 0.85"})
    void meanRoundTripMatchesProductFormTheory(int workers, double utilization) {
        PlannerParameters p = exponentialWithWorkers(workers);
        double s = 50e-6; // seconds per visit (relay 50 us, no L7, no mTLS)
        double visitRate = utilization * workers / s; // arrivals at the station per second
        double rps = visitRate / 2;
        double a = visitRate * s;
        double wait = erlangC(workers, a) * s / (workers - a);
        double delaysUs = new Planner(p).unloadedRoundTripUs(Model.parse("node"), BYTES, false, false) - 2 * 50;
        double expectedUs = delaysUs + 2 * (s + wait) * 1e6;

        LoadPoint point = simulate(p, rps, 400_000);
        assertThat(point.meanUs()).isCloseTo(expectedUs, within(expectedUs * 0.04));
        assertThat(point.maxUtilization()).isCloseTo(utilization, within(0.03));
    }

    @Test
    void latencyRisesWithLoadAndSaturationIsFlagged() {
        PlannerParameters p = exponentialWithWorkers(1);
        double previous = 0;
        for (double rps : new double[] {1000, 5000, 8000, 9500}) { // visit utilization 0.1 … 0.95
            LoadPoint point = simulate(p, rps, 100_000);
            assertThat(point.p99Us()).isGreaterThan(previous);
            assertThat(point.saturated()).isFalse();
            previous = point.p99Us();
        }
        LoadPoint over = simulate(p, 15_000, 50_000); // utilization 1.5: the queue only grows
        assertThat(over.saturated()).isTrue();
        assertThat(over.throughputRps()).isLessThan(15_000 * 0.8);
    }

    @Test
    void lightLoadMatchesTheUnloadedPath() {
        PlannerParameters p = ParameterFile.defaults().withServiceTimeCv(0, "test: constant");
        for (String m : List.of("sidecar", "node", "ebpf", "sidecar+mtls", "node+mtls")) {
            Model model = Model.parse(m);
            PlanRequest req = new PlanRequest(
                    ClusterShape.of(1, 2, 1), List.of(model), List.of(10.0), BYTES, 2000, TrafficPattern.PAIR, 3);
            LoadPoint point =
                    new Planner(p).plan(req, ProgressListener.NONE).loads().getFirst();
            double unloaded = new Planner(p).unloadedRoundTripUs(model, BYTES, false, false);
            assertThat(point.p50Us()).as(m).isCloseTo(unloaded, within(unloaded * 0.01));
        }
    }
}
