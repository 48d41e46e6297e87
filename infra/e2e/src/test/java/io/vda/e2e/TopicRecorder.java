package io.vda.e2e;

import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.serde.AvroSerde;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Every committed record of some topics, from their beginning, as a test sees them: a consumer thread appends each
 * decoded value (with its topic and the instant this JVM received it) to a list the test queries.
 */
public final class TopicRecorder implements AutoCloseable {

    /** One record as received. */
    public record Received(String topic, String key, SpecificRecord value, Instant receivedAt) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final KafkaConsumer<String, SpecificRecord> consumer;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    public TopicRecorder(String bootstrapServers, SchemaRegistry registry, List<String> topics) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20),
                new StringDeserializer(), AvroSerde.any(registry).deserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : topics) {
            consumer.partitionsFor(topic).forEach(p -> partitions.add(new TopicPartition(topic, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        thread = new Thread(this::run, "topic-recorder");
        thread.setDaemon(true);
        thread.start();
    }

    private void run() {
        try {
            while (running.get()) {
                for (ConsumerRecord<String, SpecificRecord> r : consumer.poll(Duration.ofMillis(100))) {
                    if (r.value() != null) {
                        received.add(new Received(r.topic(), r.key(), r.value(), Instant.now()));
                    }
                }
            }
        } catch (org.apache.kafka.common.errors.WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    /** The values of one type received so far that match, in order of arrival. */
    public <T extends SpecificRecord> List<T> values(Class<T> type, Predicate<T> filter) {
        return received.stream().map(Received::value).filter(type::isInstance).map(type::cast).filter(filter)
                .toList();
    }

    /** The records of one type received so far that match, with when they arrived. */
    public <T extends SpecificRecord> List<Received> records(Class<T> type, Predicate<T> filter) {
        return received.stream().filter(r -> type.isInstance(r.value()) && filter.test(type.cast(r.value())))
                .toList();
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        consumer.wakeup();
        thread.join(5_000);
    }
}
