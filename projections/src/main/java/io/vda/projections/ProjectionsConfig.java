package io.vda.projections;

import io.vda.schema.EtcdKeys;
import io.vda.schema.config.CommonSettings;
import io.vda.schema.config.Setting;
import io.vda.schema.Topics;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The projection's configuration, every setting declared once with its type, default, validation and meaning, built
 * from a map (the environment in production, a test's own map in tests). Invalid values fail at start-up.
 */
public record ProjectionsConfig(
        String kafkaBootstrap,
        String topicPrefix,
        List<String> etcdEndpoints,
        String etcdRoot,
        String groupId,
        int maxPollRecords,
        Duration pollTimeout,
        int txnMaxOperations,
        int txnMaxBytes,
        int txnPipeline,
        Duration outcomeRetention,
        Duration ownerLeaseTtl,
        Duration etcdTimeout,
        Duration topicWait,
        boolean rebuild) {


    public static final Setting KAFKA_BOOTSTRAP = CommonSettings.KAFKA_BOOTSTRAP;
    public static final Setting TOPIC_PREFIX = CommonSettings.TOPIC_PREFIX;
    public static final Setting ETCD_ENDPOINTS = CommonSettings.ETCD_ENDPOINTS;
    public static final Setting ETCD_ROOT = CommonSettings.ETCD_ROOT;
    public static final Setting GROUP_ID = new Setting("VDA_PROJECTIONS_GROUP_ID", "vda-projections",
            "Kafka consumer group; its committed offsets are informational (lag), etcd holds the real positions");
    public static final Setting MAX_POLL_RECORDS = new Setting("VDA_PROJECTIONS_MAX_POLL_RECORDS", "10000",
            "records per poll, 1..100000");
    public static final Setting POLL_TIMEOUT = new Setting("VDA_PROJECTIONS_POLL_TIMEOUT", "200ms",
            "longest wait for records in one poll");
    public static final Setting TXN_MAX_OPERATIONS = new Setting("VDA_PROJECTIONS_TXN_MAX_OPS", "128",
            "operations per etcd transaction; at most etcd's --max-txn-ops (128 by default)");
    public static final Setting TXN_MAX_BYTES = new Setting("VDA_PROJECTIONS_TXN_MAX_BYTES", "1400000",
            "bytes per etcd transaction; below etcd's --max-request-bytes (1.5 MiB by default)");
    public static final Setting TXN_PIPELINE = new Setting("VDA_PROJECTIONS_TXN_PIPELINE", "4",
            "etcd transactions in flight at once, 1..64 (each still applies only after the previous one)");
    public static final Setting OUTCOME_RETENTION = new Setting("VDA_PROJECTIONS_OUTCOME_RETENTION", "7d",
            "how long command outcomes stay in etcd (an etcd lease; they expire up to 1 h later)");
    public static final Setting OWNER_TTL = new Setting("VDA_PROJECTIONS_OWNER_TTL", "10s",
            "lease of the single-writer lock; a crashed projection's successor waits at most this long");
    public static final Setting ETCD_TIMEOUT = new Setting("VDA_ETCD_TIMEOUT", "10s",
            "longest wait for one etcd request");
    public static final Setting TOPIC_WAIT = new Setting("VDA_PROJECTIONS_TOPIC_WAIT", "60s",
            "how long to wait at start for the topics to exist");
    public static final Setting REBUILD = new Setting("VDA_PROJECTIONS_REBUILD", "false",
            "wipe the projection's keys and replay every topic from the beginning, then go on live");

    public static final List<Setting> SETTINGS = List.of(KAFKA_BOOTSTRAP, TOPIC_PREFIX, ETCD_ENDPOINTS, ETCD_ROOT,
            GROUP_ID, MAX_POLL_RECORDS, POLL_TIMEOUT, TXN_MAX_OPERATIONS, TXN_MAX_BYTES, TXN_PIPELINE, OUTCOME_RETENTION, OWNER_TTL,
            ETCD_TIMEOUT, TOPIC_WAIT, REBUILD);

    public ProjectionsConfig {
        new Topics(topicPrefix);
        new EtcdKeys(etcdRoot);
        if (etcdEndpoints.isEmpty()) {
            throw new IllegalArgumentException(ETCD_ENDPOINTS.name() + " must name at least one endpoint");
        }
        etcdEndpoints = List.copyOf(etcdEndpoints);
        if (groupId.isBlank()) {
            throw new IllegalArgumentException(GROUP_ID.name() + " must not be blank");
        }
    }

    public static ProjectionsConfig defaults() {
        return fromMap(Map.of());
    }

    /** Builds the configuration from variables; unknown {@code VDA_*} names are left to other components. */
    public static ProjectionsConfig fromMap(Map<String, String> variables) {
        Reader r = new Reader(variables);
        ProjectionsConfig config = new ProjectionsConfig(
                r.text(KAFKA_BOOTSTRAP),
                r.text(TOPIC_PREFIX),
                r.parse(ETCD_ENDPOINTS, v -> List.of(v.split("\\s*,\\s*"))),
                r.text(ETCD_ROOT),
                r.text(GROUP_ID),
                r.integer(MAX_POLL_RECORDS, 1, 100_000),
                r.duration(POLL_TIMEOUT),
                r.integer(TXN_MAX_OPERATIONS, 3, 100_000),
                r.integer(TXN_MAX_BYTES, 1024, 64 * 1024 * 1024),
                r.integer(TXN_PIPELINE, 1, 64),
                r.duration(OUTCOME_RETENTION),
                r.duration(OWNER_TTL),
                r.duration(ETCD_TIMEOUT),
                r.duration(TOPIC_WAIT),
                r.parse(REBUILD, ProjectionsConfig::bool));
        if (config.ownerLeaseTtl.toSeconds() < 1) {
            throw new IllegalArgumentException(OWNER_TTL.name() + " must be at least 1s");
        }
        if (config.outcomeRetention.toSeconds() < 1) {
            throw new IllegalArgumentException(OUTCOME_RETENTION.name() + " must be at least 1s");
        }
        return config;
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public EtcdKeys etcdKeys() {
        return new EtcdKeys(etcdRoot);
    }

    public ProjectionsConfig withRebuild(boolean value) {
        return new ProjectionsConfig(kafkaBootstrap, topicPrefix, etcdEndpoints, etcdRoot, groupId, maxPollRecords,
                pollTimeout, txnMaxOperations, txnMaxBytes, txnPipeline, outcomeRetention, ownerLeaseTtl, etcdTimeout,
                topicWait, value);
    }

    /** For the start-up log: every setting and its value (none is secret). */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(KAFKA_BOOTSTRAP.name(), kafkaBootstrap);
        out.put(TOPIC_PREFIX.name(), topicPrefix);
        out.put(ETCD_ENDPOINTS.name(), String.join(",", etcdEndpoints));
        out.put(ETCD_ROOT.name(), etcdRoot);
        out.put(GROUP_ID.name(), groupId);
        out.put(MAX_POLL_RECORDS.name(), Integer.toString(maxPollRecords));
        out.put(POLL_TIMEOUT.name(), pollTimeout.toString());
        out.put(TXN_MAX_OPERATIONS.name(), Integer.toString(txnMaxOperations));
        out.put(TXN_MAX_BYTES.name(), Integer.toString(txnMaxBytes));
        out.put(TXN_PIPELINE.name(), Integer.toString(txnPipeline));
        out.put(OUTCOME_RETENTION.name(), outcomeRetention.toString());
        out.put(OWNER_TTL.name(), ownerLeaseTtl.toString());
        out.put(ETCD_TIMEOUT.name(), etcdTimeout.toString());
        out.put(TOPIC_WAIT.name(), topicWait.toString());
        out.put(REBUILD.name(), Boolean.toString(rebuild));
        return out;
    }

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");

    /** {@code 500ms}, {@code 10s}, {@code 5m}, {@code 2h}, {@code 7d}, or ISO-8601 ({@code PT10S}). */
    static Duration duration(String value) {
        Matcher m = SHORT_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            };
        }
        return Duration.parse(value.trim());
    }

    private static boolean bool(String value) {
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes" -> true;
            case "false", "0", "no" -> false;
            default -> throw new IllegalArgumentException("not a boolean: " + value);
        };
    }

    private static final class Reader {
        private final Map<String, String> variables;

        Reader(Map<String, String> variables) {
            this.variables = variables;
        }

        String text(Setting setting) {
            return parse(setting, v -> v);
        }

        int integer(Setting setting, int min, int max) {
            int value = parse(setting, Integer::parseInt);
            if (value < min || value > max) {
                throw new IllegalArgumentException(setting.name() + " must be in " + min + ".." + max + ": " + value);
            }
            return value;
        }

        Duration duration(Setting setting) {
            Duration value = parse(setting, ProjectionsConfig::duration);
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(setting.name() + " must be positive: " + value);
            }
            return value;
        }

        <T> T parse(Setting setting, Function<String, T> parser) {
            String raw = variables.get(setting.name());
            String value = raw == null || raw.isBlank() ? setting.defaultValue() : raw.trim();
            try {
                return parser.apply(value);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException(setting.name() + "=" + value + " is invalid (" + setting.doc()
                        + "): " + e.getMessage(), e);
            }
        }
    }
}
