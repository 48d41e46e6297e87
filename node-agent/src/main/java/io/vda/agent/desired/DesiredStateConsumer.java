package io.vda.agent.desired;

import io.vda.schema.DeadLetterHeaders;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.Deserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads the node's compacted topic from the beginning into the {@link DesiredStateStore} (no consumer group: the
 * topic is the node's whole desired state, read in full at every start). {@link #awaitCaughtUp} returns once the
 * records present at start have been applied, so that the first pass never sees a partial state (which would
 * delete objects). A record that cannot be read is parked on the dead-letter topic with its origin in headers.
 */
public final class DesiredStateConsumer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(DesiredStateConsumer.class);

    private final Consumer<String, byte[]> consumer;
    private final Deserializer<SpecificRecord> deserializer;
    private final TopicPartition partition;
    private final DesiredStateStore store;
    private final Runnable onChange;
    private final Producer<String, byte[]> deadLetters;
    private final String deadLetterTopic;
    private final CountDownLatch caughtUp = new CountDownLatch(1);
    private volatile boolean running = true;

    public DesiredStateConsumer(Consumer<String, byte[]> consumer, Deserializer<SpecificRecord> deserializer,
            String nodeTopic, DesiredStateStore store, Runnable onChange, Producer<String, byte[]> deadLetters,
            String deadLetterTopic) {
        this.consumer = consumer;
        this.deserializer = deserializer;
        this.partition = new TopicPartition(nodeTopic, 0);
        this.store = store;
        this.onChange = onChange;
        this.deadLetters = deadLetters;
        this.deadLetterTopic = deadLetterTopic;
    }

    public boolean awaitCaughtUp(Duration timeout) throws InterruptedException {
        return caughtUp.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void run() {
        try {
            consumer.assign(List.of(partition));
            consumer.seekToBeginning(List.of(partition));
            long end = consumer.endOffsets(List.of(partition), Duration.ofSeconds(30)).get(partition);
            LOG.info("Reading desired state from {} (end offset {})", partition.topic(), end);
            if (end == 0) {
                caughtUp.countDown();
            }
            while (running) {
                var records = consumer.poll(Duration.ofMillis(200));
                boolean changed = false;
                for (ConsumerRecord<String, byte[]> r : records) {
                    changed |= apply(r);
                }
                if (caughtUp.getCount() > 0 && consumer.position(partition) >= end) {
                    LOG.info("Desired state read: {} objects", store.snapshot().size());
                    caughtUp.countDown();
                    changed = false;
                }
                if (changed && caughtUp.getCount() == 0) {
                    onChange.run();
                }
            }
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer.close();
        }
    }

    private boolean apply(ConsumerRecord<String, byte[]> r) {
        SpecificRecord value;
        try {
            value = r.value() == null ? null : deserializer.deserialize(r.topic(), r.value());
        } catch (SerializationException e) {
            LOG.error("Record {}@{} key {} unreadable, parked on {}: {}", r.topic(), r.offset(), r.key(),
                    deadLetterTopic, e.getMessage());
            ProducerRecord<String, byte[]> parked = new ProducerRecord<>(deadLetterTopic, r.key(), r.value());
            DeadLetterHeaders.origin(parked.headers(), r.topic(), r.partition(), r.offset());
            DeadLetterHeaders.cause(parked.headers(), e.getMessage(), "node-agent");
            deadLetters.send(parked);
            return false;
        }
        return store.apply(r.key(), value);
    }

    public void stop() {
        running = false;
        consumer.wakeup();
    }
}
