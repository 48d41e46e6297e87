package io.vda.schema;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The catalogue of Kafka topics: every topic's name, partitions and configuration, declared once.
 *
 * <ul>
 *   <li>{@code <p>.commands}: commands from the gateway, reconciler and agents. One partition, so that the allocator
 *       sees every placement decision in one order (ADR 0002).</li>
 *   <li>{@code <p>.events}: what the allocator decided (…Created/Modified/Deleted/Rejected, failovers), keyed by
 *       resource.</li>
 *   <li>{@code <p>.outcomes}: exactly one {@code CommandOutcome} per command, keyed by command id; compacted.</li>
 *   <li>{@code <p>.node.<node>}: a node's whole desired state, keyed by object key; compacted, tombstone = remove.</li>
 *   <li>{@code <p>.status}: objects' and nodes' observed status, keyed by {@code <node>[/<objectKey>]}; compacted.</li>
 *   <li>{@code <p>.heartbeats}: agents' liveness, keyed by node; short retention.</li>
 *   <li>{@code <p>.dead-letter}: records that could not be read or processed, parked with their origin in headers.</li>
 * </ul>
 * The prefix ({@code vda} by default) isolates clusters, and test classes from each other.
 */
public final class Topics {

    /** How one topic is created. */
    public record TopicSpec(String name, int partitions, Map<String, String> config) {
        public TopicSpec {
            Objects.requireNonNull(name, "name");
            config = Map.copyOf(config);
        }
    }

    public static final String DEFAULT_PREFIX = "vda";

    private static final Map<String, String> COMPACTED = Map.of(
            "cleanup.policy", "compact",
            "min.compaction.lag.ms", "0",
            "segment.ms", Long.toString(Duration.ofHours(1).toMillis()));

    private final String prefix;

    public Topics(String prefix) {
        if (prefix == null || !prefix.matches("[a-zA-Z0-9._-]{1,100}")) {
            throw new IllegalArgumentException("topic prefix must match [a-zA-Z0-9._-]{1,100}: " + prefix);
        }
        this.prefix = prefix;
    }

    public static Topics defaults() {
        return new Topics(DEFAULT_PREFIX);
    }

    public String prefix() {
        return prefix;
    }

    public String commands() {
        return prefix + ".commands";
    }

    public String events() {
        return prefix + ".events";
    }

    public String outcomes() {
        return prefix + ".outcomes";
    }

    public String status() {
        return prefix + ".status";
    }

    public String heartbeats() {
        return prefix + ".heartbeats";
    }

    public String deadLetter() {
        return prefix + ".dead-letter";
    }

    /** The desired-state topic of one node; node names are validated by {@link ResourceNames}. */
    public String node(String nodeName) {
        return nodePrefix() + nodeName;
    }

    public String nodePrefix() {
        return prefix + ".node.";
    }

    public boolean isNodeTopic(String topic) {
        return topic.startsWith(nodePrefix());
    }

    public String nodeOfTopic(String topic) {
        if (!isNodeTopic(topic)) {
            throw new IllegalArgumentException("not a node topic: " + topic);
        }
        return topic.substring(nodePrefix().length());
    }

    /** The topics every cluster has from the start. */
    public List<TopicSpec> clusterTopics() {
        return List.of(
                new TopicSpec(commands(), 1, Map.of("retention.ms", Long.toString(Duration.ofDays(7).toMillis()))),
                new TopicSpec(events(), 3, Map.of("retention.ms", "-1")),
                new TopicSpec(outcomes(), 3, COMPACTED),
                new TopicSpec(status(), 3, COMPACTED),
                new TopicSpec(heartbeats(), 1, Map.of("retention.ms", Long.toString(Duration.ofHours(1).toMillis()))),
                new TopicSpec(deadLetter(), 1, Map.of("retention.ms", Long.toString(Duration.ofDays(30).toMillis()))));
    }

    /** A node's desired-state topic: one partition (one node, one order), compacted. */
    public TopicSpec nodeTopic(String nodeName) {
        return new TopicSpec(node(nodeName), 1, COMPACTED);
    }
}
