package io.nodemesh.sim.internal;

import io.nodemesh.api.FlowPath;
import io.nodemesh.sim.SimConnection;

/** A connection's entry in its node kernel's socket table: what it was at connect time, and what has happened since. */
public final class OpenConnection {
    final SimConnection connection;
    final NodeKernel kernel;
    FlowPath path;
    long bytes;
    boolean open = true;
    /** The generation whose policy this connection was last checked against; a newer one triggers a re-check. */
    long checkedGeneration;

    OpenConnection(SimConnection connection, NodeKernel kernel, long checkedGeneration) {
        this.connection = connection;
        this.kernel = kernel;
        this.path = connection.path();
        this.checkedGeneration = checkedGeneration;
    }

    public SimConnection connection() {
        return connection;
    }

    public NodeKernel kernel() {
        return kernel;
    }

    public boolean isOpen() {
        return open;
    }

    public long bytes() {
        return bytes;
    }
}
