package io.vda.projections.kafka;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks records the projection cannot use on the dead-letter topic, with where they came from and why in headers.
 * Sent synchronously before the batch that moves past the record is written, so a parked record is never lost (it may
 * be parked twice if the projection crashes in between).
 */
public final class DeadLetters implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    public static final String ORIGIN_TOPIC = "vda.origin.topic";
    public static final String ORIGIN_PARTITION = "vda.origin.partition";
    public static final String ORIGIN_OFFSET = "vda.origin.offset";
    public static final String ERROR = "vda.error";
    public static final String COMPONENT = "vda.component";

    private final String topic;
    private final Duration timeout;
    private KafkaProducer<byte[], byte[]> producer;
    private final Map<String, Object> config;

    public DeadLetters(String bootstrap, String topic, Duration timeout) {
        this.topic = topic;
        this.timeout = timeout;
        this.config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.CLIENT_ID_CONFIG, "vda-projections-dead-letters");
    }

    public void park(ConsumerRecord<byte[], byte[]> record, Exception error) {
        LOG.warn("Parking record {}-{}@{} on {}: {}", record.topic(), record.partition(), record.offset(), topic,
                error.getMessage());
        if (producer == null) {
            producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        }
        ProducerRecord<byte[], byte[]> parked = new ProducerRecord<>(topic, null, record.key(), record.value());
        parked.headers()
                .add(ORIGIN_TOPIC, utf8(record.topic()))
                .add(ORIGIN_PARTITION, utf8(Integer.toString(record.partition())))
                .add(ORIGIN_OFFSET, utf8(Long.toString(record.offset())))
                .add(ERROR, utf8(String.valueOf(error.getMessage())))
                .add(COMPONENT, utf8("projections"));
        try {
            producer.send(parked).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted parking a record", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot park record " + record.topic() + "-" + record.partition() + "@"
                    + record.offset() + " on " + topic + ": " + e.getMessage(), e);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }
}
