package io.vda.schema.config;

import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import java.util.Map;

/** The settings every VDA process shares, declared once. */
public final class CommonSettings {

    public static final Setting KAFKA_BOOTSTRAP = new Setting("VDA_KAFKA_BOOTSTRAP", "127.0.0.1:9092",
            "Kafka bootstrap servers");
    public static final Setting TOPIC_PREFIX = new Setting("VDA_TOPIC_PREFIX", Topics.DEFAULT_PREFIX,
            "prefix of every topic name (<prefix>.commands, <prefix>.events, …)");
    public static final Setting ETCD_ENDPOINTS = new Setting("VDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379",
            "etcd client URLs, comma-separated (schema registry, documents)");
    public static final Setting ETCD_ROOT = new Setting("VDA_ETCD_ROOT", EtcdKeys.DEFAULT_ROOT,
            "root of the cluster's etcd keys");

    private CommonSettings() {
    }

    /** These four settings as environment variables, for starting a VDA process (tests, harnesses). */
    public static Map<String, String> environment(String kafkaBootstrap, String topicPrefix, String etcdEndpoints,
            String etcdRoot) {
        return Map.of(KAFKA_BOOTSTRAP.name(), kafkaBootstrap, TOPIC_PREFIX.name(), topicPrefix,
                ETCD_ENDPOINTS.name(), etcdEndpoints, ETCD_ROOT.name(), etcdRoot);
    }
}
