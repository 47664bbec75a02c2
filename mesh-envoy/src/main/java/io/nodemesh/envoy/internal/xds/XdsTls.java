package io.nodemesh.envoy.internal.xds;

import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.nodemesh.envoy.internal.ca.IssuedCertificate;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The xDS server's TLS: its own certificate from the mesh CA, and client certificates required and checked against the
 * mesh roots. Both are read per handshake from what {@link #update} last set, so a rotated root takes effect without
 * restarting the server.
 */
public final class XdsTls {
    private record Material(IssuedCertificate server, X509TrustManager trust) {}

    private final AtomicReference<Material> material = new AtomicReference<>();

    public XdsTls(IssuedCertificate server, List<X509Certificate> roots) {
        update(server, roots);
    }

    /** From the next handshake on: present {@code server}, accept clients chaining to one of {@code roots}. */
    public void update(IssuedCertificate server, List<X509Certificate> roots) {
        material.set(new Material(Objects.requireNonNull(server), trustManager(roots)));
    }

    /** Server credentials requiring a client certificate. */
    public ServerCredentials credentials() {
        return TlsServerCredentials.newBuilder()
                .keyManager(new Keys())
                .trustManager(new Trust())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
    }

    private static X509TrustManager trustManager(List<X509Certificate> roots) {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < roots.size(); i++) store.setCertificateEntry("root-" + i, roots.get(i));
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            for (var tm : f.getTrustManagers()) if (tm instanceof X509TrustManager x) return x;
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new IllegalStateException("cannot build a trust manager over the mesh roots", e);
        }
    }

    private static final String ALIAS = "xds";

    private final class Keys extends X509ExtendedKeyManager {
        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return ALIAS;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return ALIAS;
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return new String[] {ALIAS};
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return new String[0];
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return new X509Certificate[] {material.get().server().certificate()};
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return material.get().server().key();
        }
    }

    private final class Trust extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            material.get().trust().checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("the xDS server checks no server certificates");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return material.get().trust().getAcceptedIssuers();
        }
    }
}
