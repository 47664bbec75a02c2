package io.nodemesh.api.lb;

import io.nodemesh.api.state.IpAddresses;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What socket-level load balancing hashes (Maglev) and remembers (session affinity) a new connection by, defined once
 * for the eBPF programs ({@code nm_client_addr} and {@code nm_flow_hash} in {@code bpf/flow_hash.h}) and the simulator.
 * <p>
 * The kernel decides at {@code connect()}/{@code sendmsg()}, before the socket has a source port and usually before it
 * has a source address, so the key cannot be the 5-tuple. It is {@code (client address, VIP, VIP port)}:
 * <ul>
 *   <li>the client address is the client workload's {@linkplain #workloadAddress address} (its first IPv4 address,
 *       else its first address), which the kernel finds from the socket's network namespace in {@code nm_netns_addr};
 *       a socket of no workload (a host process) is known by the source address it bound before connecting, and
 *       otherwise by {@linkplain #unknownClient the unspecified address} (all zero). The simulator keys a host
 *       source given an address by that address (a process that bound it) and one with the node's default by zero;</li>
 *   <li>addresses are 16 bytes, IPv4 v4-mapped ({@code ::ffff:a.b.c.d}), as in every nodemesh map.</li>
 * </ul>
 * So Maglev is consistent <em>per client</em>: every connection of one pod to one VIP:port lands on the same backend
 * while the backend set is unchanged, and only about {@code 1/N} of clients move when one of {@code N} backends goes.
 * It does not spread one client's connections over backends.
 * <p>
 * The hash is 32-bit FNV-1a (basis {@code 0x811c9dc5}, prime {@code 0x01000193}) over client ‖ VIP ‖ port (2 bytes,
 * big-endian), then MurmurHash3's 32-bit finalizer. Changing it moves every client. {@code bpf/testdata} holds test
 * vectors that a unit test and a kernel test both check.
 */
public final class SocketLbKey {
    /** Bytes of an address in the key. */
    public static final int ADDRESS_BYTES = 16;

    private static final byte[] UNKNOWN = new byte[ADDRESS_BYTES];

    private SocketLbKey() {}

    /** The client address of a socket that belongs to no workload and bound no source address: {@code ::}, all zero. */
    public static byte[] unknownClient() {
        return UNKNOWN.clone();
    }

    /** The address a workload's sockets are keyed by: its first IPv4 address, else its first valid address. */
    public static Optional<String> workloadAddress(List<String> ips) {
        return ips.stream()
                .filter(IpAddresses::isV4)
                .findFirst()
                .or(() -> ips.stream().filter(IpAddresses::isValid).findFirst());
    }

    /** The 16-byte form of an address literal, IPv4 v4-mapped. */
    public static byte[] address(String literal) {
        InetAddress a = IpAddresses.parse(literal)
                .orElseThrow(() -> new IllegalArgumentException("'" + literal + "' is not an IP address"));
        byte[] raw = a.getAddress();
        if (raw.length == ADDRESS_BYTES) return raw;
        byte[] mapped = new byte[ADDRESS_BYTES];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(raw, 0, mapped, 12, 4);
        return mapped;
    }

    /** The 32-bit hash of a key (see the class comment); both addresses in their 16-byte form. */
    public static int hash(byte[] client, byte[] vip, int port) {
        check(client, "client");
        check(vip, "vip");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port " + port + " is outside 0..65535");
        int h = Maglev.FNV32_BASIS;
        for (byte b : client) h = (h ^ (b & 0xff)) * Maglev.FNV32_PRIME;
        for (byte b : vip) h = (h ^ (b & 0xff)) * Maglev.FNV32_PRIME;
        h = (h ^ ((port >>> 8) & 0xff)) * Maglev.FNV32_PRIME;
        h = (h ^ (port & 0xff)) * Maglev.FNV32_PRIME;
        return Maglev.fmix32(h);
    }

    private static void check(byte[] address, String what) {
        Objects.requireNonNull(address, what);
        if (address.length != ADDRESS_BYTES) {
            throw new IllegalArgumentException(
                    what + " address has " + address.length + " bytes; the key takes " + ADDRESS_BYTES);
        }
    }
}
