package io.nodemesh.api.state;

/**
 * One backend address of a service.
 *
 * @param ip       backend address
 * @param workload the workload ({@code namespace/name}) behind it, or empty for an address outside the mesh
 * @param state    whether it takes new connections
 */
public record Endpoint(String ip, String workload, EndpointState state) {
    public Endpoint {
        workload = workload == null ? "" : workload;
        state = state == null ? EndpointState.READY : state;
    }

    public static Endpoint ready(String ip, String workload) {
        return new Endpoint(ip, workload, EndpointState.READY);
    }

    public Endpoint withState(EndpointState newState) {
        return new Endpoint(ip, workload, newState);
    }
}
