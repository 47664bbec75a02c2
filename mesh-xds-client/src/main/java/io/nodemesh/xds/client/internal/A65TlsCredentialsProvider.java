package io.nodemesh.xds.client.internal;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.grpc.xds.XdsCredentialsProvider;
import io.nodemesh.xds.client.TlsFilesConfig;
import io.nodemesh.xds.client.XdsTlsCredentials;
import java.util.Map;

/**
 * The bootstrap's {@code "tls"} channel credentials with gRFC A65's file config. grpc-java's registry keeps, per name,
 * the provider of the highest priority, and its own {@code "tls"} (priority 5) ignores the config, so this one takes
 * the name at priority 10. An empty config behaves as grpc's: the JDK's roots, no client certificate.
 * <p>
 * A bad config throws {@link io.nodemesh.xds.client.XdsCredentialsConfigException} naming the key and path; grpc
 * fails the channel with it as the cause ({@code UNAVAILABLE: Failed to initialize xDS}, logged) instead of falling
 * back to another credential, so a broken config never means plain text.
 */
public final class A65TlsCredentialsProvider extends XdsCredentialsProvider {
    /** Above grpc-java's own {@code "tls"} provider (5). */
    static final int PRIORITY = 10;

    public A65TlsCredentialsProvider() {}

    @Override
    protected ChannelCredentials newChannelCredentials(Map<String, ?> jsonConfig) {
        TlsFilesConfig config = TlsFilesConfig.parse(jsonConfig);
        return config.empty() ? TlsChannelCredentials.create() : XdsTlsCredentials.create(config);
    }

    @Override
    protected String getName() {
        return "tls";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }
}
