package io.nodemesh.xds.client;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The config of a bootstrap's {@code "tls"} channel credentials as gRFC A65 defines it: PEM files for the client's
 * certificate chain and key (both or neither), the roots to check the server against (the JDK's when absent), and how
 * often the files are checked for a rotation.
 *
 * @param certificateFile   {@code certificate_file}, or null for no client certificate
 * @param privateKeyFile    {@code private_key_file} (PKCS#8 PEM), null exactly when {@code certificateFile} is
 * @param caCertificateFile {@code ca_certificate_file}, or null for the JDK's default roots
 * @param refreshInterval   {@code refresh_interval} (a protobuf JSON duration such as {@code "600s"}, default ten
 *                          minutes, as in A65): files are re-read at most this often, at a new connection
 */
public record TlsFilesConfig(
        Path certificateFile, Path privateKeyFile, Path caCertificateFile, Duration refreshInterval) {
    public static final String CERTIFICATE_FILE = "certificate_file",
            PRIVATE_KEY_FILE = "private_key_file",
            CA_CERTIFICATE_FILE = "ca_certificate_file",
            REFRESH_INTERVAL = "refresh_interval";
    /** A65's default refresh interval. */
    public static final Duration DEFAULT_REFRESH = Duration.ofMinutes(10);

    private static final List<String> KEYS =
            List.of(CERTIFICATE_FILE, PRIVATE_KEY_FILE, CA_CERTIFICATE_FILE, REFRESH_INTERVAL);
    private static final Pattern SECONDS = Pattern.compile("(\\d{1,12})(\\.\\d{1,9})?s");

    public TlsFilesConfig {
        if ((certificateFile == null) != (privateKeyFile == null)) {
            throw new XdsCredentialsConfigException((certificateFile == null
                            ? PRIVATE_KEY_FILE + " is set but " + CERTIFICATE_FILE
                            : CERTIFICATE_FILE + " is set but " + PRIVATE_KEY_FILE)
                    + " is not: give both or neither");
        }
        if (refreshInterval == null || refreshInterval.isNegative() || refreshInterval.isZero()) {
            throw new XdsCredentialsConfigException(REFRESH_INTERVAL + " must be positive, not " + refreshInterval);
        }
    }

    /** Whether the config gives no file at all (then it is grpc's plain {@code "tls"}: JDK roots, no client cert). */
    public boolean empty() {
        return certificateFile == null && caCertificateFile == null;
    }

    /**
     * Reads a bootstrap's {@code config} object (as grpc's JSON parser gives it). Every file named must be a readable
     * regular file; unknown keys are refused, so a misspelt key is not silently a client without a certificate.
     *
     * @throws XdsCredentialsConfigException naming the key (and path) at fault
     */
    public static TlsFilesConfig parse(Map<String, ?> config) {
        for (String key : config.keySet()) {
            if (!KEYS.contains(key)) {
                throw new XdsCredentialsConfigException(
                        "unknown key '" + key + "' (known: " + String.join(", ", KEYS) + ")");
            }
        }
        return new TlsFilesConfig(
                file(config, CERTIFICATE_FILE),
                file(config, PRIVATE_KEY_FILE),
                file(config, CA_CERTIFICATE_FILE),
                config.containsKey(REFRESH_INTERVAL) ? duration(string(config, REFRESH_INTERVAL)) : DEFAULT_REFRESH);
    }

    private static String string(Map<String, ?> config, String key) {
        Object v = config.get(key);
        if (v instanceof String s && !s.isBlank()) return s;
        throw new XdsCredentialsConfigException(key + " must be a non-empty string, not " + describe(v));
    }

    private static Path file(Map<String, ?> config, String key) {
        if (!config.containsKey(key)) return null;
        Path p = Path.of(string(config, key));
        if (!Files.exists(p)) throw new XdsCredentialsConfigException(key + " " + p + ": no such file");
        if (!Files.isRegularFile(p)) throw new XdsCredentialsConfigException(key + " " + p + ": not a regular file");
        if (!Files.isReadable(p)) throw new XdsCredentialsConfigException(key + " " + p + ": cannot be read");
        return p;
    }

    private static Duration duration(String s) {
        Matcher m = SECONDS.matcher(s);
        if (!m.matches()) {
            throw new XdsCredentialsConfigException(
                    REFRESH_INTERVAL + " '" + s + "' is not a duration in seconds such as \"600s\" or \"0.5s\"");
        }
        BigDecimal seconds = new BigDecimal(m.group(1) + (m.group(2) == null ? "" : m.group(2)));
        return Duration.ofSeconds(
                seconds.longValue(),
                seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
    }

    private static String describe(Object v) {
        return v instanceof String s ? "'" + s + "'" : String.valueOf(v);
    }
}
