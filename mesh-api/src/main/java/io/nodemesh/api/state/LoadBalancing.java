package io.nodemesh.api.state;

/** How a service picks a backend for a new connection. */
public enum LoadBalancing {
    /** Uniformly at random. */
    RANDOM,
    /** Each new connection takes the next backend in turn. */
    ROUND_ROBIN,
    /** Maglev consistent hashing of the client's address and port: stable when backends come and go. */
    MAGLEV
}
