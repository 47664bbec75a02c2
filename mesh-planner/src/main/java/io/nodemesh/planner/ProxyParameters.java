package io.nodemesh.planner;

/**
 * One kind of proxy (sidecar or node proxy). CPU is per <em>traversal</em>: a request crossing the proxy once in one
 * direction; a round trip through a proxy costs two traversals (request and response).
 *
 * @param workers       worker threads: requests served at once; more wait in a FIFO queue
 * @param workersSource where the worker count comes from
 * @param relay         CPU to relay a message at L4 (read from one socket, write to another)
 * @param http          extra CPU when the service needs L7 (HTTP parsing, routing, telemetry)
 * @param mtls          extra CPU when the proxy terminates/originates mTLS
 * @param memory        resident memory
 */
public record ProxyParameters(
        int workers, String workersSource, LinearCost relay, LinearCost http, LinearCost mtls, MemoryCost memory) {
    /** CPU microseconds of one traversal. */
    public double cpuUs(int bytes, boolean l7, boolean mtlsOn) {
        return relay.us(bytes) + (l7 ? http.us(bytes) : 0) + (mtlsOn ? mtls.us(bytes) : 0);
    }

    public ProxyParameters withRelay(LinearCost newRelay) {
        return new ProxyParameters(workers, workersSource, newRelay, http, mtls, memory);
    }

    public ProxyParameters withMemory(MemoryCost newMemory) {
        return new ProxyParameters(workers, workersSource, relay, http, mtls, newMemory);
    }
}
