package io.nodemesh.xds.client.internal;

import io.grpc.ChannelCredentials;
import io.grpc.TlsChannelCredentials;
import io.nodemesh.xds.client.TlsFilesConfig;
import io.nodemesh.xds.client.XdsCredentialsConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The files of one {@link TlsFilesConfig}, read at creation (a bad file fails then, naming key and path) and again at
 * a handshake once the refresh interval has passed. New bytes that do not make consistent material are logged and
 * ignored: the previous certificate keeps being presented, so a half-written rotation never breaks a reconnect.
 */
public final class ReloadingTlsMaterial {
    private static final System.Logger LOG = System.getLogger(ReloadingTlsMaterial.class.getName());
    private static final Pattern NODE = Pattern.compile("spiffe://([^/]+)/nodemesh/node/([^/]+)");

    /** What was read, the bytes it came from, and its alias for the key manager (changes with every reload). */
    record Reading(byte[][] bytes, TlsMaterial material, String alias) {}

    private final TlsFilesConfig config;
    private final InstantSource clock;
    private Reading current, previous;
    private Instant checked;
    private long generation;

    ReloadingTlsMaterial(TlsFilesConfig config, InstantSource clock) {
        this.config = config;
        this.clock = clock;
        this.current = build(readAll());
        this.checked = clock.instant();
    }

    /** @throws XdsCredentialsConfigException naming the file that is missing, unreadable or not usable */
    public static ReloadingTlsMaterial load(TlsFilesConfig config) {
        return new ReloadingTlsMaterial(config, InstantSource.system());
    }

    public ChannelCredentials credentials() {
        TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder().trustManager(new XdsServerTrust(this));
        if (config.certificateFile() != null) b.keyManager(new CurrentKeys(this));
        return b.build();
    }

    /** The material now, re-read first if the refresh interval has passed since the last check. */
    synchronized Reading current() {
        Instant now = clock.instant();
        if (Duration.between(checked, now).compareTo(config.refreshInterval()) >= 0) {
            checked = now;
            reload();
        }
        return current;
    }

    /** The reading a key-manager alias came from (the one before it too, for a handshake spanning a reload). */
    synchronized Reading byAlias(String alias) {
        if (previous != null && previous.alias().equals(alias)) return previous;
        return current;
    }

    /** Reads the files now; true when they changed and made consistent material, which is then presented. */
    synchronized boolean reload() {
        try {
            byte[][] bytes = readAll();
            if (Arrays.deepEquals(bytes, current.bytes())) return false;
            Reading next = build(bytes);
            previous = current;
            current = next;
            LOG.log(System.Logger.Level.INFO, "xDS client credentials reloaded from {0}", describe());
            return true;
        } catch (XdsCredentialsConfigException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "xDS client credentials not reloaded, keeping the ones read before: {0}",
                    e.getMessage());
            return false;
        }
    }

    private String describe() {
        return config.certificateFile() != null ? config.certificateFile().toString() : config.caCertificateFile() + "";
    }

    private byte[][] readAll() {
        return new byte[][] {
            read(TlsFilesConfig.CERTIFICATE_FILE, config.certificateFile()),
            read(TlsFilesConfig.PRIVATE_KEY_FILE, config.privateKeyFile()),
            read(TlsFilesConfig.CA_CERTIFICATE_FILE, config.caCertificateFile())
        };
    }

    private static byte[] read(String key, Path file) {
        if (file == null) return new byte[0];
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new XdsCredentialsConfigException(key + " " + file + ": cannot be read (" + e + ")", e);
        }
    }

    private Reading build(byte[][] bytes) {
        List<X509Certificate> chain = List.of();
        PrivateKey key = null;
        if (config.certificateFile() != null) {
            chain = PemFiles.certificates(TlsFilesConfig.CERTIFICATE_FILE, config.certificateFile(), bytes[0]);
            key = PemFiles.privateKey(TlsFilesConfig.PRIVATE_KEY_FILE, config.privateKeyFile(), bytes[1]);
            if (!PemFiles.matches(key, chain.getFirst())) {
                throw new XdsCredentialsConfigException(TlsFilesConfig.PRIVATE_KEY_FILE + " " + config.privateKeyFile()
                        + " is not the key of the certificate in " + TlsFilesConfig.CERTIFICATE_FILE + " "
                        + config.certificateFile());
            }
        }
        List<X509Certificate> roots = config.caCertificateFile() == null
                ? null
                : PemFiles.certificates(TlsFilesConfig.CA_CERTIFICATE_FILE, config.caCertificateFile(), bytes[2]);
        TlsMaterial material =
                new TlsMaterial(chain, key, trust(roots), chain.isEmpty() ? null : nodeOf(chain.getFirst()));
        return new Reading(bytes, material, "nodemesh-xds-" + generation++);
    }

    /** The JDK's PKIX trust manager over {@code roots}, or over its default roots when null. */
    private static X509ExtendedTrustManager trust(List<X509Certificate> roots) {
        try {
            KeyStore store = null;
            if (roots != null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                for (int i = 0; i < roots.size(); i++) store.setCertificateEntry("root-" + i, roots.get(i));
            }
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init(store);
            for (TrustManager tm : f.getTrustManagers()) if (tm instanceof X509ExtendedTrustManager x) return x;
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust manager over the CA certificates", e);
        }
    }

    /** The nodemesh node a certificate's URI SAN names, or null. */
    static TlsMaterial.NodeId nodeOf(X509Certificate cert) {
        for (String uri : uris(cert)) {
            Matcher m = NODE.matcher(uri);
            if (m.matches()) return new TlsMaterial.NodeId(m.group(1), m.group(2));
        }
        return null;
    }

    static List<String> uris(X509Certificate cert) {
        try {
            var sans = cert.getSubjectAlternativeNames();
            if (sans == null) return List.of();
            return sans.stream()
                    .filter(san -> Integer.valueOf(6).equals(san.get(0)))
                    .map(san -> (String) san.get(1))
                    .toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }
}
