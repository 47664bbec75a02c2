package io.nodemesh.ebpf.internal.abi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.nodemesh.api.FlowEvent;
import io.nodemesh.api.FlowPath;
import io.nodemesh.api.Verdict;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class EncodeTest {
    private static String hex(Bytes b) {
        return b.toString();
    }

    @Test
    void ipv4IsStoredV4MappedAndIpv6AsIs() {
        assertThat(HexFormat.of().formatHex(Addresses.toKernel("10.96.0.1")))
                .isEqualTo("00000000000000000000ffff0a600001");
        assertThat(HexFormat.of().formatHex(Addresses.toKernel("fd00:200::1")))
                .isEqualTo("fd000200000000000000000000000001");
        assertThat(HexFormat.of().formatHex(Addresses.toKernel("::ffff:10.96.0.1")))
                .isEqualTo("00000000000000000000ffff0a600001");
        assertThat(Addresses.fromKernel(Addresses.toKernel("10.96.0.1"))).isEqualTo("10.96.0.1");
        assertThat(Addresses.fromKernel(Addresses.toKernel("fd00:200::1"))).isEqualTo("fd00:200:0:0:0:0:0:1");
        assertThatThrownBy(() -> Addresses.toKernel("not-an-ip"))
                .hasMessageContaining("'not-an-ip' is not an IP address");
    }

    @Test
    void serviceKeyHasHostOrderPortProtocolAndZeroPadding() {
        assertThat(hex(Encode.serviceKey(Addresses.toKernel("10.96.0.1"), 80, KernelAbi.PROTO_TCP)))
                .isEqualTo("00000000000000000000ffff0a600001" + "5000" + "06" + "00");
    }

    @Test
    void serviceValueRoundTrips() {
        var v = new Encode.ServiceValue(7, 13, 3, 30, 1021, 8080, KernelAbi.LB_MAGLEV, KernelAbi.SVC_F_AFFINITY);
        Bytes bytes = Encode.serviceValue(v);
        assertThat(bytes.length()).isEqualTo(24);
        assertThat(hex(bytes))
                .isEqualTo("07000000" + "0d000000" + "03000000" + "1e000000" + "fd030000" + "901f" + "02" + "02");
        assertThat(Encode.decodeServiceValue(bytes)).isEqualTo(v);
    }

    @Test
    void policyKeyAndConfig() {
        assertThat(hex(Encode.policyKey(2, 0, 1, 443)))
                .isEqualTo("02000000" + "00000000" + "01000000" + "bb01" + "0000");
        Bytes config = Encode.config(
                KernelAbi.CFG_F_REDIRECT | KernelAbi.CFG_F_POLICY, Addresses.toKernel("127.0.0.1"), 15001, 0xdeadbeefL);
        assertThat(hex(config))
                .isEqualTo(String.format("%02x000000", KernelAbi.LAYOUT_VERSION) + "03000000"
                        + "00000000000000000000ffff7f000001" + "993a" + "0000" + "efbeadde");
    }

    @Test
    void fieldsThatDoNotFitAreRefusedNamingTheField() {
        assertThatThrownBy(() -> Encode.serviceKey(Addresses.toKernel("10.0.0.1"), 70000, 6))
                .hasMessageContaining("nm_service_key.port = 70000 does not fit in 2 bytes");
        assertThatThrownBy(() -> Encode.ipKey(new byte[4])).hasMessageContaining("nm_ip_key.ip is 16 bytes, not 4");
    }

    /** The event codes are the API enums' ordinals, so the decoder is a table lookup. */
    @Test
    void eventCodesFollowTheApiEnums() {
        assertThat(KernelAbi.EV_CONNECT).isEqualTo(FlowEvent.Type.CONNECT.ordinal() + 1);
        assertThat(KernelAbi.EV_TRANSLATE).isEqualTo(FlowEvent.Type.TRANSLATE.ordinal() + 1);
        assertThat(KernelAbi.EV_REDIRECT).isEqualTo(FlowEvent.Type.REDIRECT.ordinal() + 1);
        assertThat(KernelAbi.EV_DROP).isEqualTo(FlowEvent.Type.DROP.ordinal() + 1);
        assertThat(KernelAbi.EV_CLOSE).isEqualTo(FlowEvent.Type.CLOSE.ordinal() + 1);
        assertThat(KernelAbi.VERDICT_FORWARDED).isEqualTo(Verdict.FORWARDED.ordinal());
        assertThat(KernelAbi.VERDICT_DROPPED_POLICY).isEqualTo(Verdict.DROPPED_POLICY.ordinal());
        assertThat(KernelAbi.VERDICT_NO_BACKEND).isEqualTo(Verdict.NO_BACKEND.ordinal());
        assertThat(KernelAbi.PATH_SOCKET_REDIRECT).isEqualTo(FlowPath.SOCKET_REDIRECT.ordinal());
        assertThat(KernelAbi.PATH_KERNEL_STACK).isEqualTo(FlowPath.KERNEL_STACK.ordinal());
        assertThat(KernelAbi.PATH_NODE_PROXY).isEqualTo(FlowPath.NODE_PROXY.ordinal());
        assertThat(KernelAbi.PATH_ENCRYPTED_TUNNEL).isEqualTo(FlowPath.ENCRYPTED_TUNNEL.ordinal());
        assertThat(KernelAbi.PATH_NONE).isEqualTo(FlowPath.NONE.ordinal());
    }

    @Test
    void eventRecordDecodes() {
        byte[] raw = new byte[KernelLayouts.EVENT.size()];
        raw[78] = KernelAbi.EV_DROP;
        raw[79] = KernelAbi.VERDICT_NO_BACKEND;
        raw[92] = 5;
        var r = new StructReader(KernelLayouts.EVENT, raw);
        assertThat(r.u8("type")).isEqualTo(KernelAbi.EV_DROP);
        assertThat(r.u8("verdict")).isEqualTo(KernelAbi.VERDICT_NO_BACKEND);
        assertThat(r.u32("service_id")).isEqualTo(5);
        assertThatThrownBy(() -> new StructReader(KernelLayouts.EVENT, new byte[10]))
                .hasMessageContaining("nm_event needs 96 bytes, got 10");
    }
}
