package io.vda.projections;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vda.projections.etcd.EtcdRanges;
import io.etcd.jetcd.Client;
import io.vda.schema.EtcdKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.config.CommonSettings;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/** Test and benchmark helper: a broker and etcd with one cluster prefix; produces records and reads documents. */
public final class ProjectionCluster implements AutoCloseable {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final String bootstrap;
    private final String etcdEndpoint;
    private final Topics topics;
    private final EtcdKeys keys;
    private final Client etcd;
    private final Admin admin;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final KafkaProducer<String, byte[]> rawProducer;

    public ProjectionCluster(String bootstrap, String etcdEndpoint, String prefix, String etcdRoot) {
        this.bootstrap = bootstrap;
        this.etcdEndpoint = etcdEndpoint;
        this.topics = new Topics(prefix);
        this.keys = new EtcdKeys(etcdRoot);
        this.etcd = Client.builder().endpoints(etcdEndpoint).build();
        this.admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        new TopicBootstrapper(admin, (short) 1).createClusterTopics(topics);
        SchemaRegistry registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys, Duration.ofSeconds(10)));
        Map<String, Object> config = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 256 * 1024);
        this.producer = new KafkaProducer<>(config, new StringSerializer(), AvroSerde.any(registry).serializer());
        this.rawProducer = new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    public Topics topics() {
        return topics;
    }

    public EtcdKeys keys() {
        return keys;
    }

    public Client etcd() {
        return etcd;
    }

    /** The projection's configuration for this cluster (short owner lease so restarts are quick). */
    public Map<String, String> projectionVariables() {
        Map<String, String> vars = new HashMap<>(CommonSettings.environment(bootstrap, topics.prefix(),
                etcdEndpoint, keys.root()));
        vars.put("VDA_PROJECTIONS_GROUP_ID", topics.prefix() + "-projections");
        vars.put("VDA_PROJECTIONS_OWNER_TTL", "2s");
        vars.put("VDA_PROJECTIONS_POLL_TIMEOUT", "100ms");
        return vars;
    }

    public ProjectionsConfig projectionConfig() {
        return ProjectionsConfig.fromMap(projectionVariables());
    }

    public String topicOf(Workload.Item item) {
        return switch (item.topic()) {
            case "events" -> topics.events();
            case "status" -> topics.status();
            case "outcomes" -> topics.outcomes();
            default -> throw new IllegalArgumentException(item.topic());
        };
    }

    public void produce(List<Workload.Item> items) {
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (Workload.Item item : items) {
            // Record time = when the record would have been produced (the event's own time), as in a live cluster.
            producer.send(new ProducerRecord<>(topicOf(item), null, item.at().toEpochMilli(), item.key(),
                    item.value()), (metadata, error) -> {
                        if (error != null) {
                            failure.compareAndSet(null, error);
                        }
                    });
        }
        producer.flush();
        if (failure.get() != null) {
            throw new IllegalStateException("a record was not produced: " + failure.get(), failure.get());
        }
    }

    public void produce(Workload.Item... items) {
        produce(List.of(items));
    }

    public void produceRaw(String topic, String key, byte[] value) {
        try {
            rawProducer.send(new ProducerRecord<>(topic, key, value)).get();
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The documents under a prefix, parsed. */
    public Map<String, JsonNode> documents(String prefix) {
        Map<String, JsonNode> out = new TreeMap<>();
        EtcdRanges.scan(etcd.getKVClient(), prefix, 0, Duration.ofSeconds(30), kv -> {
            try {
                out.put(kv.getKey().toString(StandardCharsets.UTF_8), MAPPER.readTree(kv.getValue().getBytes()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return out;
    }

    public JsonNode document(String key) {
        return documents(key).get(key);
    }

    /** Resources and command outcomes: what readers see. */
    public Map<String, JsonNode> readableDocuments() {
        Map<String, JsonNode> all = new TreeMap<>(documents(keys.resourcesPrefix()));
        all.putAll(documents(keys.commandsPrefix()));
        return all;
    }

    /** Partition → the next offset the projection stored in etcd. */
    public Map<TopicPartition, Long> storedOffsets() {
        Map<TopicPartition, Long> out = new HashMap<>();
        String prefix = keys.projectionOffsetsPrefix();
        documents(prefix).forEach((key, value) -> {
            String rest = key.substring(prefix.length());
            int slash = rest.lastIndexOf('/');
            out.put(new TopicPartition(rest.substring(0, slash), Integer.parseInt(rest.substring(slash + 1))),
                    value.asLong());
        });
        return out;
    }

    public Map<TopicPartition, Long> endOffsets() {
        try {
            List<String> names = List.of(topics.events(), topics.status(), topics.outcomes());
            Map<String, TopicDescription> descriptions = admin.describeTopics(names).allTopicNames().get();
            Map<TopicPartition, OffsetSpec> request = new HashMap<>();
            descriptions.values().forEach(d -> d.partitions().forEach(p ->
                    request.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> result =
                    admin.listOffsets(request).all().get();
            Map<TopicPartition, Long> out = new HashMap<>();
            result.forEach((tp, info) -> out.put(tp, info.offset()));
            return out;
        } catch (InterruptedException | ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the projection stored, for every partition, the end offset (empty partitions need no key). */
    public boolean caughtUp() {
        Map<TopicPartition, Long> stored = storedOffsets();
        for (Map.Entry<TopicPartition, Long> end : endOffsets().entrySet()) {
            if (end.getValue() > 0 && stored.getOrDefault(end.getKey(), 0L) < end.getValue()) {
                return false;
            }
        }
        return true;
    }

    public long storedTotal() {
        return storedOffsets().values().stream().mapToLong(Long::longValue).sum();
    }

    public void awaitCaughtUp(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(this::caughtUp);
    }

    /** Runs a projection in this JVM on a thread; close() stops it. */
    public Running startInProcess(ProjectionsConfig config, ProjectionHooks hooks) {
        ProjectionService service = new ProjectionService(config, hooks);
        List<Throwable> failure = new ArrayList<>();
        Thread thread = new Thread(() -> {
            try {
                service.run();
            } catch (Throwable t) {
                failure.add(t);
            }
        }, "projection-" + topics.prefix());
        thread.start();
        return new Running(service, thread, failure);
    }

    public record Running(ProjectionService service, Thread thread, List<Throwable> failure) implements AutoCloseable {
        public boolean ended() {
            return !thread.isAlive();
        }

        @Override
        public void close() {
            service.close();
            try {
                thread.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        producer.close();
        rawProducer.close();
        admin.close();
        etcd.close();
    }
}
