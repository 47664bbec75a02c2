package io.nodemesh.envoy.internal;

import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DeltaDiscoveryResponse;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Keeps a delta stream alive when a client answers with a nonce the server no longer holds — an ACK sent twice, or
 * one for a response already acknowledged. java-control-plane's delta stream looks the nonce up, gets nothing and ends
 * the stream with a NullPointerException. Here every nonce sent is remembered until the client answers it once; a
 * request carrying any other nonce is passed on without it, as the plain request it then is (subscriptions still apply).
 */
final class DeltaNonceGuard implements ServerCallHandler<DeltaDiscoveryRequest, DeltaDiscoveryResponse> {
    private final ServerCallHandler<DeltaDiscoveryRequest, DeltaDiscoveryResponse> next;

    DeltaNonceGuard(ServerCallHandler<DeltaDiscoveryRequest, DeltaDiscoveryResponse> next) {
        this.next = next;
    }

    @Override
    public ServerCall.Listener<DeltaDiscoveryRequest> startCall(ServerCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> call, Metadata headers) {
        Set<String> outstanding = ConcurrentHashMap.newKeySet();
        // Remembered before the response leaves, so the client cannot answer it first.
        ServerCall<DeltaDiscoveryRequest, DeltaDiscoveryResponse> remembering = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
            @Override
            public void sendMessage(DeltaDiscoveryResponse response) {
                outstanding.add(key(response.getTypeUrl(), response.getNonce()));
                super.sendMessage(response);
            }
        };
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(next.startCall(remembering, headers)) {
            @Override
            public void onMessage(DeltaDiscoveryRequest request) {
                String nonce = request.getResponseNonce();
                boolean stale = !nonce.isEmpty() && !outstanding.remove(key(request.getTypeUrl(), nonce));
                super.onMessage(stale ? request.toBuilder().clearResponseNonce().build() : request);
            }
        };
    }

    private static String key(String typeUrl, String nonce) {
        return typeUrl + ' ' + nonce;
    }
}
