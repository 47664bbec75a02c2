package io.nodemesh.bench;

import java.util.Map;

/**
 * One JMH result: which benchmark, with which parameters, and its score.
 *
 * @param benchmarkClass the simple name of the class, e.g. {@code ValidateBenchmark}
 * @param method         the benchmark method, e.g. {@code full}; {@code floor} is the class's floor
 * @param params         JMH parameters, e.g. {@code services=10000}
 * @param score          mean time per operation
 * @param error          half-width of JMH's 99.9% confidence interval, NaN with too few iterations
 * @param unit           e.g. {@code ms/op}
 */
record Result(
        String benchmarkClass, String method, Map<String, String> params, double score, double error, String unit) {
    static final String FLOOR = "floor";

    Result {
        params = Map.copyOf(params);
    }

    boolean isFloor() {
        return method.equals(FLOOR);
    }
}
