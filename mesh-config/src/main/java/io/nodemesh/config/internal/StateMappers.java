package io.nodemesh.config.internal;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.cfg.MapperBuilder;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import io.nodemesh.api.state.AppProtocol;
import io.nodemesh.api.state.EncryptionSpec;
import io.nodemesh.api.state.HealthCheck;
import io.nodemesh.api.state.HttpFilter;
import io.nodemesh.api.state.Resilience;
import io.nodemesh.api.state.Service;
import io.nodemesh.api.state.ServiceLayer;
import java.io.IOException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;

/** The two configured mappers: strict when reading, terse and stable when writing. */
public final class StateMappers {
    /** SnakeYAML stops at 3 MiB by default; a cluster-wide file of a large mesh can be bigger than that. */
    static final int MAX_YAML_CODE_POINTS = 64 * 1024 * 1024;

    public static final ObjectMapper YAML = configure(YAMLMapper.builder(YAMLFactory.builder()
            .loaderOptions(loaderOptions())
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            // A health check's kind as a plain 'type: http' field, not a YAML tag
            .disable(YAMLGenerator.Feature.USE_NATIVE_TYPE_ID)
            .build()));
    public static final ObjectMapper JSON = configure(JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT));

    private StateMappers() {}

    private static LoaderOptions loaderOptions() {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(MAX_YAML_CODE_POINTS);
        return options;
    }

    private static ObjectMapper configure(MapperBuilder<?, ?> builder) {
        return builder
                // A repeated key silently overriding the first is the classic hand-edited-YAML mistake.
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT) // port: 80.5 is a mistake, not port 80
                .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
                // The api records are public in an exported package, so plain public access is all Jackson needs on the
                // module path (io.nodemesh.api.state is not opened to it; ModulePathTest checks this).
                .disable(MapperFeature.OVERRIDE_PUBLIC_ACCESS_MODIFIERS)
                // `ips: [~]` is an error with a path, not a NullPointerException from List.copyOf in a record
                // constructor.
                .defaultSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL))
                // Leave out what reads back the same when absent: empty lists, "", 0, false, zero durations.
                .defaultPropertyInclusion(
                        JsonInclude.Value.construct(JsonInclude.Include.NON_DEFAULT, JsonInclude.Include.ALWAYS))
                .addModule(new Jdk8Module())
                .addMixIn(HealthCheck.class, ResilienceMixins.HealthCheckTypes.class)
                .addMixIn(HttpFilter.class, RouteMixins.HttpFilterTypes.class)
                .addMixIn(Service.class, ResilienceMixins.ServiceWithoutDefaultResilience.class)
                .addMixIn(Resilience.class, ResilienceMixins.ResilienceWithoutDefaults.class)
                .addModule(new SimpleModule("nodemesh-state")
                        .addSerializer(Duration.class, new DurationSerializer())
                        .addDeserializer(Duration.class, new DurationDeserializer())
                        .addSerializer(Enum.class, new LowerCaseEnumSerializer()))
                .build();
    }

    /** Durations as {@code 30s}, {@code 250ms}, {@code 2m}. */
    static final class DurationSerializer extends StdSerializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(DurationText.format(value));
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Duration value) {
            return value == null || value.isZero();
        }
    }

    /** Durations from {@code 30s}, {@code 1h30m}, {@code PT30S}, or a bare {@code 0}. */
    static final class DurationDeserializer extends StdScalarDeserializer<Duration> {
        private static final long serialVersionUID = 1L;

        DurationDeserializer() {
            super(Duration.class);
        }

        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String text = p.getText();
                try {
                    return DurationText.parse(text);
                } catch (IllegalArgumentException e) {
                    throw InvalidFormatException.from(p, e.getMessage(), text, Duration.class);
                }
            }
            if (p.currentToken() == JsonToken.VALUE_NUMBER_INT && p.getLongValue() == 0) return Duration.ZERO;
            if (p.currentToken().isNumeric()) {
                throw InvalidFormatException.from(
                        p,
                        p.getText() + " has no unit: write e.g. " + p.getText() + "s or " + p.getText() + "ms",
                        p.getText(),
                        Duration.class);
            }
            return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
        }
    }

    /**
     * Enums in lower case ({@code round_robin}); reading accepts any case. The defaults of the two enums that replaced
     * booleans ({@code layer: l4}, {@code enforcement: permissive}) are left out, as {@code false} was, and so is the
     * default {@code appProtocol: tcp}, which files written before it existed do not have.
     */
    @SuppressWarnings("rawtypes")
    static final class LowerCaseEnumSerializer extends StdSerializer<Enum> {
        private static final long serialVersionUID = 1L;
        private static final Set<Enum<?>> LEFT_OUT =
                Set.of(ServiceLayer.L4, EncryptionSpec.Enforcement.PERMISSIVE, AppProtocol.TCP);

        LowerCaseEnumSerializer() {
            super(Enum.class);
        }

        @Override
        public void serialize(Enum value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(value.name().toLowerCase(Locale.ROOT));
        }

        @Override
        public boolean isEmpty(SerializerProvider provider, Enum value) {
            return value == null || LEFT_OUT.contains(value);
        }
    }
}
