package io.vda.allocator;

import io.vda.allocator.domain.AllocatorSettings;
import io.vda.schema.config.CommonSettings;
import io.vda.schema.config.Setting;
import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The allocator's configuration: every variable declared once with its type, default and meaning, read from a map
 * ({@code System.getenv()} in production, a test's own map otherwise), validated all at once so start-up fails
 * fast with every problem listed.
 */
public record AllocatorConfig(
        String bootstrapServers,
        String topicPrefix,
        String etcdEndpoints,
        String etcdRoot,
        String applicationId,
        Path stateDir,
        Duration commitInterval,
        Duration sessionTimeout,
        Duration outcomeRetention,
        Duration outcomePurgeInterval,
        int maxVirtualDisksPerDiskNode,
        int maxSubsystemsPerControllerNode,
        short replicationFactor) {


    public static final Setting KAFKA_BOOTSTRAP = CommonSettings.KAFKA_BOOTSTRAP;
    public static final Setting TOPIC_PREFIX = CommonSettings.TOPIC_PREFIX;
    public static final Setting ETCD_ENDPOINTS = CommonSettings.ETCD_ENDPOINTS;
    public static final Setting ETCD_ROOT = CommonSettings.ETCD_ROOT;
    public static final Setting APP_ID = new Setting("VDA_ALLOCATOR_APP_ID", "vda-allocator",
            "Kafka Streams application.id: consumer group, transactional ids and internal topic prefix");
    public static final Setting STATE_DIR = new Setting("VDA_ALLOCATOR_STATE_DIR",
            "/var/lib/vda/allocator",
            "Kafka Streams state directory (RocksDB stores; rebuilt from changelogs when lost)");
    public static final Setting COMMIT_INTERVAL = new Setting("VDA_ALLOCATOR_COMMIT_INTERVAL", "100ms",
            "transaction commit interval: the latency of an outcome under exactly-once");
    public static final Setting SESSION_TIMEOUT = new Setting("VDA_ALLOCATOR_SESSION_TIMEOUT", "10s",
            "consumer session timeout: how soon a crashed instance's partition moves to another");
    public static final Setting OUTCOME_RETENTION = new Setting("VDA_ALLOCATOR_OUTCOME_RETENTION", "7d",
            "how long a command id is remembered for deduplication (at least the commands topic's retention)");
    public static final Setting OUTCOME_PURGE_INTERVAL = new Setting("VDA_ALLOCATOR_OUTCOME_PURGE_INTERVAL",
            "1h", "how often outcomes older than the retention are purged (wall-clock)");
    public static final Setting MAX_VDS_PER_DN = new Setting("VDA_ALLOCATOR_MAX_VDS_PER_DISK_NODE",
            Integer.toString(AllocatorSettings.DEFAULT_MAX_VIRTUAL_DISKS_PER_DISK_NODE),
            "virtual disks (NVMe-oF subsystems) one disk node's SPDK target may export");
    public static final Setting MAX_SUBSYSTEMS_PER_CN = new Setting(
            "VDA_ALLOCATOR_MAX_SUBSYSTEMS_PER_CONTROLLER_NODE",
            Integer.toString(AllocatorSettings.DEFAULT_MAX_SUBSYSTEMS_PER_CONTROLLER_NODE),
            "NVMe-oF subsystems one controller node's SPDK target may hold (exporters, secondary exports)");
    public static final Setting REPLICATION_FACTOR = new Setting("VDA_KAFKA_REPLICATION_FACTOR", "1",
            "replication factor of the topics the allocator creates (cluster topics, changelogs)");

    public static final List<Setting> VARIABLES = List.of(KAFKA_BOOTSTRAP, TOPIC_PREFIX, ETCD_ENDPOINTS, ETCD_ROOT,
            APP_ID, STATE_DIR, COMMIT_INTERVAL, SESSION_TIMEOUT, OUTCOME_RETENTION, OUTCOME_PURGE_INTERVAL,
            MAX_VDS_PER_DN, MAX_SUBSYSTEMS_PER_CN, REPLICATION_FACTOR);

    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)");

    public static AllocatorConfig fromEnvironment() {
        return fromMap(System.getenv());
    }

    /** @throws IllegalArgumentException listing every invalid variable */
    public static AllocatorConfig fromMap(Map<String, String> values) {
        Reader r = new Reader(values);
        String bootstrap = r.get(KAFKA_BOOTSTRAP, AllocatorConfig::nonBlank);
        String prefix = r.get(TOPIC_PREFIX, v -> new Topics(v).prefix());
        String etcd = r.get(ETCD_ENDPOINTS, AllocatorConfig::nonBlank);
        String root = r.get(ETCD_ROOT, v -> new EtcdKeys(v).root());
        String appId = r.get(APP_ID, AllocatorConfig::nonBlank);
        Path stateDir = r.get(STATE_DIR, v -> Path.of(nonBlank(v)));
        Duration commit = r.get(COMMIT_INTERVAL, AllocatorConfig::positiveDuration);
        Duration session = r.get(SESSION_TIMEOUT, AllocatorConfig::positiveDuration);
        Duration retention = r.get(OUTCOME_RETENTION, AllocatorConfig::positiveDuration);
        Duration purge = r.get(OUTCOME_PURGE_INTERVAL, AllocatorConfig::positiveDuration);
        Integer maxVds = r.get(MAX_VDS_PER_DN, AllocatorConfig::positiveInt);
        Integer maxCnSubsystems = r.get(MAX_SUBSYSTEMS_PER_CN, AllocatorConfig::positiveInt);
        Integer replication = r.get(REPLICATION_FACTOR, v -> Math.min(Short.MAX_VALUE, positiveInt(v)));
        if (!r.problems.isEmpty()) {
            throw new IllegalArgumentException("invalid allocator configuration: " + String.join("; ", r.problems));
        }
        AllocatorConfig config = new AllocatorConfig(bootstrap, prefix, etcd, root, appId, stateDir, commit, session,
                retention, purge, maxVds, maxCnSubsystems, replication.shortValue());
        return config;
    }

    public Topics topics() {
        return new Topics(topicPrefix);
    }

    public EtcdKeys etcdKeys() {
        return new EtcdKeys(etcdRoot);
    }

    public AllocatorSettings settings() {
        return new AllocatorSettings(maxVirtualDisksPerDiskNode, maxSubsystemsPerControllerNode);
    }

    /** Setting → value, for the start-up log (nothing here is secret). */
    public Map<String, String> describe() {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(KAFKA_BOOTSTRAP.name(), bootstrapServers);
        out.put(TOPIC_PREFIX.name(), topicPrefix);
        out.put(ETCD_ENDPOINTS.name(), etcdEndpoints);
        out.put(ETCD_ROOT.name(), etcdRoot);
        out.put(APP_ID.name(), applicationId);
        out.put(STATE_DIR.name(), stateDir.toString());
        out.put(COMMIT_INTERVAL.name(), commitInterval.toString());
        out.put(SESSION_TIMEOUT.name(), sessionTimeout.toString());
        out.put(OUTCOME_RETENTION.name(), outcomeRetention.toString());
        out.put(OUTCOME_PURGE_INTERVAL.name(), outcomePurgeInterval.toString());
        out.put(MAX_VDS_PER_DN.name(), Integer.toString(maxVirtualDisksPerDiskNode));
        out.put(MAX_SUBSYSTEMS_PER_CN.name(), Integer.toString(maxSubsystemsPerControllerNode));
        out.put(REPLICATION_FACTOR.name(), Short.toString(replicationFactor));
        return out;
    }

    /** "100ms", "10s", "5m", "1h", "7d" or ISO-8601 ("PT0.1S"). */
    static Duration parseDuration(String text) {
        String v = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SHORT_DURATION.matcher(v);
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
        try {
            return Duration.parse(text.trim());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not a duration (e.g. 100ms, 10s, 5m, 1h, 7d or PT10S): " + text);
        }
    }

    private static Duration positiveDuration(String v) {
        Duration d = parseDuration(v);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("must be positive: " + v);
        }
        return d;
    }

    private static int positiveInt(String v) {
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an integer: " + v);
        }
        if (n < 1) {
            throw new IllegalArgumentException("must be at least 1: " + v);
        }
        return n;
    }

    private static String nonBlank(String v) {
        if (v.isBlank()) {
            throw new IllegalArgumentException("must not be blank");
        }
        return v.trim();
    }

    private static final class Reader {
        final Map<String, String> values;
        final List<String> problems = new ArrayList<>();

        Reader(Map<String, String> values) {
            this.values = values;
        }

        <T> T get(Setting variable, Function<String, T> parse) {
            String raw = values.getOrDefault(variable.name(), variable.defaultValue());
            try {
                return parse.apply(raw);
            } catch (RuntimeException e) {
                problems.add(variable.name() + "=" + raw + ": " + e.getMessage());
                return null;
            }
        }
    }
}
