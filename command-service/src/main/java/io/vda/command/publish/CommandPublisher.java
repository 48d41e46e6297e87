package io.vda.command.publish;

import io.vda.command.CommandServiceConfig;
import io.vda.command.request.CommandRequest;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.serde.SchemaRegistryException;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes commands to {@code <p>.commands}, keyed by resource so one resource's commands stay in order, through an
 * idempotent producer with {@code acks=all}. Every Kafka call is bounded by the publish timeout
 * ({@code max.block.ms}, {@code delivery.timeout.ms}) and runs off the event loop; a broker that is away becomes a
 * {@link PublishUnavailableException} (503) within that time, never a hang. A record that timed out is expired from
 * the producer's buffer, so it is not sent later behind the client's back; retrying with the same idempotency key
 * reuses the command id, which the allocator deduplicates.
 */
public final class CommandPublisher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandPublisher.class);

    private final Vertx vertx;
    private final Topics topics;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final Admin admin;
    private final TopicBootstrapper bootstrapper;
    private final Set<String> knownNodeTopics = ConcurrentHashMap.newKeySet();

    public CommandPublisher(Vertx vertx, CommandServiceConfig config, SchemaRegistry registry) {
        this.vertx = vertx;
        this.topics = config.topics();
        this.producer = new KafkaProducer<>(producerConfig(config), new StringSerializer(),
                AvroSerde.any(registry).serializer());
        this.admin = Admin.create(adminConfig(config.kafkaBootstrap(), config.publishTimeout()));
        this.bootstrapper = new TopicBootstrapper(admin, config.replicationFactor());
    }

    static Map<String, Object> producerConfig(CommandServiceConfig config) {
        long timeout = config.publishTimeout().toMillis();
        Map<String, Object> p = new HashMap<>();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "vda-command-service");
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        p.put(ProducerConfig.LINGER_MS_CONFIG, 1);
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeout);
        p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, timeout / 2));
        p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) timeout);
        p.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
        return p;
    }

    static Map<String, Object> adminConfig(String bootstrap, Duration timeout) {
        return Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                AdminClientConfig.CLIENT_ID_CONFIG, "vda-command-service-admin",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) Math.max(500, timeout.toMillis() / 2),
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis(),
                AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 1000);
    }

    /** Creates the cluster topics if absent and learns the commands topic's metadata (blocking; start-up only). */
    public void prepare(boolean createTopics, Duration timeout) {
        if (createTopics) {
            bootstrapper.createClusterTopics(topics);
        }
        producer.partitionsFor(topics.commands());
        LOG.info("Publishing commands to {}", topics.commands());
    }

    /** For Create{Disk,Controller}Node: the node's desired-state topic must exist before the allocator writes to it. */
    public Future<Void> ensureNodeTopic(String nodeName) {
        if (knownNodeTopics.contains(nodeName)) {
            return Future.succeededFuture();
        }
        return blocking("create topic " + topics.node(nodeName), () -> {
            bootstrapper.createNodeTopic(topics, nodeName);
            knownNodeTopics.add(nodeName);
            return null;
        });
    }

    public Future<RecordMetadata> publish(CommandRequest request) {
        ProducerRecord<String, SpecificRecord> record =
                new ProducerRecord<>(topics.commands(), request.recordKey(), request.command());
        Context context = vertx.getOrCreateContext();
        Promise<RecordMetadata> promise = Promise.promise();
        // send() may block up to max.block.ms (metadata, full buffer, first schema registration): not on the event loop.
        vertx.executeBlocking(() -> producer.send(record, (metadata, error) -> context.runOnContext(v -> {
            if (error == null) {
                promise.tryComplete(metadata);
            } else {
                promise.tryFail(classify("publish " + request.commandType() + " " + request.resourceName(), error));
            }
        })), false).onFailure(error -> promise.tryFail(classify("publish " + request.commandType(), error)));
        return promise.future();
    }

    private <T> Future<T> blocking(String what, java.util.concurrent.Callable<T> call) {
        return vertx.executeBlocking(call, false).recover(error -> Future.failedFuture(classify(what, error)));
    }

    /** Retriable Kafka trouble (timeouts, broker away) and schema registry trouble become 503; the rest stay errors. */
    static Throwable classify(String what, Throwable error) {
        Throwable cause = error;
        while (cause != null) {
            if (cause instanceof RetriableException || cause instanceof org.apache.kafka.common.errors.TimeoutException
                    || cause instanceof java.util.concurrent.TimeoutException
                    || cause instanceof SchemaRegistryException) {
                return new PublishUnavailableException(what + ": Kafka unavailable (" + cause.getMessage() + ")", error);
            }
            cause = cause.getCause();
        }
        if (error instanceof KafkaException || error instanceof IllegalStateException) {
            return new PublishUnavailableException(what + ": " + error.getMessage(), error);
        }
        return error;
    }

    @Override
    public void close() {
        producer.close(java.time.Duration.ofSeconds(5));
        admin.close(java.time.Duration.ofSeconds(5));
    }

    /** Whether the broker answers a metadata request within the timeout (for /health; blocking). */
    public boolean kafkaReachable(Duration timeout) {
        try {
            admin.describeCluster().nodes().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
