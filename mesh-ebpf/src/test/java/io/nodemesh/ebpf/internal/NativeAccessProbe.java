package io.nodemesh.ebpf.internal;

import io.nodemesh.api.spi.Availability;

/** Run in a child JVM by {@link NativeAccessAvailabilityTest}: prints what the provider says about this JVM. */
public final class NativeAccessProbe {
    private NativeAccessProbe() {}

    public static void main(String[] args) {
        Availability a = new EbpfDataplaneProvider().availability();
        System.out.println(
                a instanceof Availability.Unavailable(String reason) ? "UNAVAILABLE " + reason : "AVAILABLE");
    }
}
