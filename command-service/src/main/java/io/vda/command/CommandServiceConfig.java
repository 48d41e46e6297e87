package io.vda.command;

import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The command gateway's configuration: every key declared once with its default, validation and meaning, read from a
 * map (the environment in production, a plain map in tests). {@link #fromMap} fails fast listing every bad key.
 *
 * @param httpHost          {@code VDA_HTTP_HOST}: address the HTTP server binds (default 127.0.0.1)
 * @param httpPort          {@code VDA_HTTP_PORT}: port (default 8080; 0 = any free port)
 * @param kafkaBootstrap    {@code VDA_KAFKA_BOOTSTRAP}: Kafka bootstrap servers (default 127.0.0.1:9092)
 * @param topicPrefix       {@code VDA_TOPIC_PREFIX}: topic prefix (default vda)
 * @param etcdEndpoints     {@code VDA_ETCD_ENDPOINTS}: comma-separated etcd URLs (default http://127.0.0.1:2379)
 * @param etcdRoot          {@code VDA_ETCD_ROOT}: etcd key root (default /vda)
 * @param apiTokens         {@code VDA_API_TOKENS}: comma-separated bearer tokens; empty = authentication off
 * @param maxBodyBytes      {@code VDA_MAX_BODY_BYTES}: largest request body accepted, larger gets 413 (default 65536)
 * @param maxWait           {@code VDA_MAX_WAIT}: longest {@code ?wait=} honoured (default 60s)
 * @param publishTimeout    {@code VDA_PUBLISH_TIMEOUT}: how long a write waits for Kafka before 503 (default 5s)
 * @param etcdTimeout       {@code VDA_ETCD_TIMEOUT}: how long one etcd call may take before 503 (default 5s)
 * @param idempotencyTtl    {@code VDA_IDEMPOTENCY_TTL}: how long an idempotency key is remembered (default 24h)
 * @param replicationFactor {@code VDA_REPLICATION_FACTOR}: replication factor of topics the gateway creates (default 1)
 * @param createTopics      {@code VDA_CREATE_TOPICS}: create the cluster topics at start if absent (default true)
 */
public record CommandServiceConfig(
        String httpHost,
        int httpPort,
        String kafkaBootstrap,
        String topicPrefix,
        List<String> etcdEndpoints,
        String etcdRoot,
        Set<String> apiTokens,
        int maxBodyBytes,
        Duration maxWait,
        Duration publishTimeout,
        Duration etcdTimeout,
        Duration idempotencyTtl,
        short replicationFactor,
        boolean createTopics) {

    public CommandServiceConfig {
        etcdEndpoints = List.copyOf(etcdEndpoints);
        apiTokens = Set.copyOf(apiTokens);
    }

    /** Thrown at start-up when the configuration is unusable; the message lists every bad key. */
    public static final class InvalidConfigException extends RuntimeException {
        public InvalidConfigException(String message) {
            super(message);
        }
    }

    public static CommandServiceConfig fromEnv() {
        return fromMap(System.getenv());
    }

    public static CommandServiceConfig fromMap(Map<String, String> env) {
        Reader r = new Reader(env);
        String host = r.get("VDA_HTTP_HOST", "127.0.0.1", s -> require(s, !s.isBlank(), "must not be blank"));
        Integer port = r.get("VDA_HTTP_PORT", "8080", s -> range(Integer.parseInt(s), 0, 65535));
        String bootstrap = r.get("VDA_KAFKA_BOOTSTRAP", "127.0.0.1:9092", s -> require(s, !s.isBlank(), "must not be blank"));
        String prefix = r.get("VDA_TOPIC_PREFIX", Topics.DEFAULT_PREFIX, s -> new Topics(s).prefix());
        List<String> endpoints = r.get("VDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379",
                s -> require(list(s), !list(s).isEmpty(), "must name at least one endpoint"));
        String root = r.get("VDA_ETCD_ROOT", EtcdKeys.DEFAULT_ROOT, s -> new EtcdKeys(s).root());
        Set<String> tokens = r.get("VDA_API_TOKENS", "", s -> Set.copyOf(list(s)));
        Integer maxBody = r.get("VDA_MAX_BODY_BYTES", "65536", s -> range(Integer.parseInt(s), 1024, 16 << 20));
        Duration maxWait = r.get("VDA_MAX_WAIT", "60s", s -> positive(Durations.parse(s)));
        Duration publish = r.get("VDA_PUBLISH_TIMEOUT", "5s",
                s -> require(Durations.parse(s), Durations.parse(s).toMillis() >= 1000, "must be at least 1s"));
        Duration etcdTimeout = r.get("VDA_ETCD_TIMEOUT", "5s", s -> positive(Durations.parse(s)));
        Duration ttl = r.get("VDA_IDEMPOTENCY_TTL", "24h",
                s -> require(Durations.parse(s), Durations.parse(s).toSeconds() >= 60, "must be at least 1m"));
        Integer replication = r.get("VDA_REPLICATION_FACTOR", "1", s -> range(Integer.parseInt(s), 1, 5));
        Boolean createTopics = r.get("VDA_CREATE_TOPICS", "true", CommandServiceConfig::bool);
        if (!r.errors.isEmpty()) {
            throw new InvalidConfigException("invalid configuration: " + String.join("; ", r.errors));
        }
        return new CommandServiceConfig(host, port, bootstrap, prefix, endpoints, root, tokens, maxBody, maxWait,
                publish, etcdTimeout, ttl, replication.shortValue(), createTopics);
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public EtcdKeys etcdKeys() {
        return new EtcdKeys(etcdRoot);
    }

    public boolean authEnabled() {
        return !apiTokens.isEmpty();
    }

    /** For the start-up log: tokens are never printed, only how many there are. */
    public Map<String, Object> redacted() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("VDA_HTTP_HOST", httpHost);
        m.put("VDA_HTTP_PORT", httpPort);
        m.put("VDA_KAFKA_BOOTSTRAP", kafkaBootstrap);
        m.put("VDA_TOPIC_PREFIX", topicPrefix);
        m.put("VDA_ETCD_ENDPOINTS", String.join(",", etcdEndpoints));
        m.put("VDA_ETCD_ROOT", etcdRoot);
        m.put("VDA_API_TOKENS", apiTokens.isEmpty() ? "(unset: authentication off)" : "(" + apiTokens.size() + " redacted)");
        m.put("VDA_MAX_BODY_BYTES", maxBodyBytes);
        m.put("VDA_MAX_WAIT", Durations.format(maxWait));
        m.put("VDA_PUBLISH_TIMEOUT", Durations.format(publishTimeout));
        m.put("VDA_ETCD_TIMEOUT", Durations.format(etcdTimeout));
        m.put("VDA_IDEMPOTENCY_TTL", Durations.format(idempotencyTtl));
        m.put("VDA_REPLICATION_FACTOR", replicationFactor);
        m.put("VDA_CREATE_TOPICS", createTopics);
        return m;
    }

    @Override
    public String toString() {
        return "CommandServiceConfig" + redacted();
    }

    private static List<String> list(String s) {
        return Arrays.stream(s.split(",")).map(String::trim).filter(x -> !x.isEmpty()).collect(Collectors.toList());
    }

    private static boolean bool(String s) {
        return switch (s.trim().toLowerCase()) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("must be true or false");
        };
    }

    private static <T> T require(T value, boolean ok, String rule) {
        if (!ok) {
            throw new IllegalArgumentException(rule);
        }
        return value;
    }

    private static int range(int value, int min, int max) {
        return require(value, value >= min && value <= max, "must be between " + min + " and " + max);
    }

    private static Duration positive(Duration d) {
        return require(d, !d.isNegative() && !d.isZero(), "must be positive");
    }

    private static final class Reader {
        final Map<String, String> env;
        final List<String> errors = new ArrayList<>();

        Reader(Map<String, String> env) {
            this.env = env;
        }

        <T> T get(String key, String defaultValue, Function<String, T> parse) {
            String raw = env.get(key);
            String value = raw == null || raw.isBlank() ? defaultValue : raw.trim();
            try {
                return parse.apply(value);
            } catch (RuntimeException e) {
                errors.add(key + "=" + (key.contains("TOKEN") ? "(redacted)" : "'" + value + "'") + ": " + e.getMessage());
                return null;
            }
        }
    }
}
