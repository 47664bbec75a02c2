package io.nodemesh.examples.calibrate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

/** {@code struct nm_sock_key}: two IPv4-mapped addresses, then the two ports as little-endian u32. */
class SockKeyTest {
    static byte[] key(int[] local, int localPort, int[] remote, int remotePort) {
        ByteBuffer b = ByteBuffer.allocate(40).order(ByteOrder.LITTLE_ENDIAN);
        mapped(b, 0, local);
        mapped(b, 16, remote);
        b.putInt(32, localPort).putInt(36, remotePort);
        return b.array();
    }

    private static void mapped(ByteBuffer b, int at, int[] ip) {
        b.put(at + 10, (byte) 0xff).put(at + 11, (byte) 0xff);
        for (int i = 0; i < 4; i++) b.put(at + 12 + i, (byte) ip[i]);
    }

    @Test
    void decodesAddressesAndPorts() {
        SockKey k = SockKey.decode(key(new int[] {10, 220, 0, 2}, 40001, new int[] {10, 220, 0, 3}, 5003));
        assertThat(k).isEqualTo(new SockKey("10.220.0.2", 40001, "10.220.0.3", 5003));
    }

    @Test
    void matchesBothEndsOfTheConnectionAndNothingElse() {
        SockKey client = new SockKey("10.220.0.2", 40001, "10.220.0.3", 5003);
        SockKey server = new SockKey("10.220.0.3", 5003, "10.220.0.2", 40001);
        assertThat(client.between("10.220.0.2", "10.220.0.3", 5003)).isTrue();
        assertThat(server.between("10.220.0.2", "10.220.0.3", 5003)).isTrue();
        assertThat(client.between("10.220.0.2", "10.220.0.3", 5001))
                .as("another server port")
                .isFalse();
        assertThat(new SockKey("10.220.0.2", 40001, "10.220.0.1", 5003).between("10.220.0.2", "10.220.0.3", 5003))
                .as("another peer")
                .isFalse();
        assertThat(new SockKey("10.220.0.3", 5001, "10.220.0.2", 40001).between("10.220.0.2", "10.220.0.3", 5003))
                .as("server end on another port")
                .isFalse();
    }

    @Test
    void aKeyOfAnotherSizeIsRefusedByName() {
        assertThatThrownBy(() -> SockKey.decode(new byte[36])).hasMessageContaining("nm_sockhash key of 36 bytes");
    }
}
