package io.nodemesh.xds.client.internal;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The client certificate of the current reading. The alias names the reading, so chain and key asked for separately
 * come from the same one even when a reload happens in between.
 */
final class CurrentKeys extends X509ExtendedKeyManager {
    private final ReloadingTlsMaterial files;

    CurrentKeys(ReloadingTlsMaterial files) {
        this.files = files;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return files.current().alias();
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return files.current().alias();
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {files.current().alias()};
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return files.byAlias(alias).material().chain().toArray(X509Certificate[]::new);
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return files.byAlias(alias).material().key();
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return new String[0];
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
    }
}
