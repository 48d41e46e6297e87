package io.vda.projections;

import io.etcd.jetcd.Client;
import io.vda.projections.batch.Batch;
import io.vda.projections.batch.TransactionBatcher;
import io.vda.projections.document.DocumentCache;
import io.vda.projections.document.ProjectionInput;
import io.vda.projections.document.ProjectionKeys;
import io.vda.projections.document.Projector;
import io.vda.projections.etcd.EtcdProjectionStore;
import io.vda.projections.kafka.DeadLetters;
import io.vda.projections.kafka.RecordDecoder;
import io.vda.projections.kafka.TimeAlignedBuffer;
import io.vda.schema.Topics;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The projection process: one consumer over the events, status and outcomes topics, positioned from etcd, feeding
 * the {@link TransactionBatcher}, whose batches {@link EtcdProjectionStore} writes with the positions in one etcd
 * transaction. Kafka's committed offsets are written afterwards and only for monitoring.
 */
public final class ProjectionService implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionService.class);
    private static final Duration PROGRESS_LOG_INTERVAL = Duration.ofSeconds(10);
    /**
     * Longest the time-ordered merge waits for a lagging partition's records. Short: live, a partition's "lag" is
     * often only a transaction marker that yields no record, and every millisecond waited here is added to the
     * latency of everything behind it (a catch-up has records buffered on every partition and does not wait).
     */
    private static final Duration ALIGNMENT_MAX_WAIT = Duration.ofMillis(50);

    private final ProjectionsConfig config;
    private final ProjectionHooks hooks;
    private final Topics topics;
    private final ProjectionKeys keys;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile KafkaConsumer<byte[], byte[]> consumer;

    /** Next offset per partition as submitted to etcd (maybe still in flight). */
    private final Map<TopicPartition, Long> planned = new HashMap<>();
    /** Next offset per partition that etcd confirmed and Kafka has not been told yet. */
    private final Map<TopicPartition, OffsetAndMetadata> confirmed = new HashMap<>();
    private long recordsApplied;
    private long transactions;
    private ConsumerRecord<byte[], byte[]> current;

    public ProjectionService(ProjectionsConfig config, ProjectionHooks hooks) {
        this.config = config;
        this.hooks = hooks;
        this.topics = config.topics();
        this.keys = new ProjectionKeys(config.etcdKeys());
    }

    /** Runs until {@link #stop()} or a fatal error (which it throws after releasing what it holds). */
    @Override
    public void run() {
        LOG.info("Projections starting: {}", config.describe());
        try (Client etcd = Client.builder().endpoints(config.etcdEndpoints().toArray(String[]::new)).build();
             EtcdProjectionStore store = new EtcdProjectionStore(etcd, keys, config.etcdTimeout(),
                     config.outcomeRetention(), config.txnMaxOperations(), config.txnMaxBytes(),
                     config.txnPipeline(), this::committed);
             DeadLetters deadLetters = new DeadLetters(config.kafkaBootstrap(), topics.deadLetter(),
                     config.etcdTimeout());
             KafkaConsumer<byte[], byte[]> kafka = new KafkaConsumer<>(consumerConfig(),
                     new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer = kafka;
            store.acquireOwnership(config.ownerLeaseTtl());
            if (config.rebuild()) {
                store.wipe();
            }
            DocumentCache cache = new DocumentCache(keys);
            EtcdProjectionStore.Loaded loaded = store.load(cache);
            LOG.info("Loaded {} documents and {} partition positions from etcd (revision {})", loaded.documents(),
                    loaded.offsets().size(), loaded.revision());
            if (!running) {
                return;
            }
            List<TopicPartition> partitions = discoverPartitions(kafka);
            kafka.assign(partitions);
            for (TopicPartition tp : partitions) {
                Long next = loaded.offsets().get(new Batch.Partition(tp.topic(), tp.partition()));
                if (next == null) {
                    kafka.seekToBeginning(List.of(tp));
                    planned.put(tp, 0L);
                } else {
                    kafka.seek(tp, next);
                    planned.put(tp, next);
                }
            }
            LOG.info("Projecting {} partitions from the positions stored in etcd", partitions.size());

            RecordDecoder decoder = new RecordDecoder(topics, new CachingSchemaRegistry(
                    new EtcdSchemaRegistry(etcd, config.etcdKeys(), config.etcdTimeout())));
            TransactionBatcher batcher = new TransactionBatcher(new Projector(keys), cache,
                    // one operation of each transaction is the sequence number
                    // and the batcher aims at two thirds of the byte limit, its sizes being estimates
                    new TransactionBatcher.Limits(config.txnMaxOperations() - 1, config.txnMaxBytes() * 2 / 3),
                    batch -> {
                        batch.nextOffsets().forEach((p, next) -> planned.put(
                                new TopicPartition(p.topic(), p.partition()), next));
                        store.commit(batch);
                    },
                    (input, partition, offset, error) -> {
                        LOG.error("Cannot apply {}-{}@{}; parking it", partition.topic(), partition.partition(),
                                offset, error);
                        deadLetters.park(current, error);
                    });
            loop(kafka, decoder, batcher, store, deadLetters, partitions);
            batcher.flush();
            store.drain(); // a clean stop leaves nothing in flight
        } catch (WakeupException e) {
            if (running) {
                throw e;
            }
        } finally {
            consumer = null;
            stopped.countDown();
            LOG.info("Projections stopped after {} records in {} etcd transactions", recordsApplied, transactions);
        }
    }

    private void committed(Batch batch) {
        transactions++;
        batch.nextOffsets().forEach((p, next) -> confirmed.put(new TopicPartition(p.topic(), p.partition()),
                new OffsetAndMetadata(next)));
        hooks.afterEtcdCommit(batch);
    }

    private void loop(KafkaConsumer<byte[], byte[]> kafka, RecordDecoder decoder, TransactionBatcher batcher,
                      EtcdProjectionStore store, DeadLetters deadLetters, List<TopicPartition> partitions) {
        Instant nextLog = Instant.now().plus(PROGRESS_LOG_INTERVAL);
        long loggedRecords = 0;
        Instant loggedAt = Instant.now();
        TimeAlignedBuffer<TopicPartition, ConsumerRecord<byte[], byte[]>> buffer =
                new TimeAlignedBuffer<>(ConsumerRecord::timestamp, ALIGNMENT_MAX_WAIT.toMillis());
        Set<TopicPartition> paused = new HashSet<>();
        while (running) {
            ConsumerRecords<byte[], byte[]> polled;
            try {
                polled = kafka.poll(config.pollTimeout());
            } catch (WakeupException e) {
                if (running) {
                    throw e;
                }
                break;
            }
            for (TopicPartition tp : polled.partitions()) {
                buffer.add(tp, polled.records(tp));
            }
            List<ConsumerRecord<byte[], byte[]>> ready = buffer.release(partitions,
                    tp -> kafka.currentLag(tp).orElse(0) > 0, System.currentTimeMillis(), config.maxPollRecords());
            for (ConsumerRecord<byte[], byte[]> record : ready) {
                current = record;
                ProjectionInput input;
                try {
                    input = decoder.decode(record);
                } catch (SerializationException e) {
                    deadLetters.park(record, e);
                    input = null;
                }
                batcher.offer(input, new Batch.Partition(record.topic(), record.partition()), record.offset());
                recordsApplied++;
            }
            for (TopicPartition tp : partitions) {
                int buffered = buffer.buffered(tp);
                if (buffered == 0) {
                    // Past transaction markers and aborted records too, so that "caught up" can be read from etcd.
                    long position = kafka.position(tp);
                    if (position > planned.getOrDefault(tp, 0L)) {
                        batcher.advance(new Batch.Partition(tp.topic(), tp.partition()), position);
                    }
                }
                // Bound the memory of the merge: stop fetching a partition that is far ahead of the others.
                if (buffered > 2 * config.maxPollRecords() && paused.add(tp)) {
                    kafka.pause(List.of(tp));
                } else if (buffered <= config.maxPollRecords() && paused.remove(tp)) {
                    kafka.resume(List.of(tp));
                }
            }
            batcher.flush();
            if (ready.isEmpty()) {
                store.drain(); // idle: let the last transactions land before waiting for more records
            }
            if (!confirmed.isEmpty()) {
                // Informational only (lag monitoring): the positions that count are in etcd.
                kafka.commitAsync(new HashMap<>(confirmed), (offsets, error) -> {
                    if (error != null) {
                        LOG.debug("Committing Kafka offsets (informational) failed: {}", error.toString());
                    }
                });
                confirmed.clear();
            }
            if (Instant.now().isAfter(nextLog)) {
                double seconds = Duration.between(loggedAt, Instant.now()).toMillis() / 1000.0;
                LOG.info("Projected {} records in {} etcd transactions ({} records/s)", recordsApplied, transactions,
                        Math.round((recordsApplied - loggedRecords) / seconds));
                loggedRecords = recordsApplied;
                loggedAt = Instant.now();
                nextLog = loggedAt.plus(PROGRESS_LOG_INTERVAL);
            }
        }
    }

    private List<TopicPartition> discoverPartitions(KafkaConsumer<byte[], byte[]> kafka) {
        Instant deadline = Instant.now().plus(config.topicWait());
        List<String> names = List.of(topics.events(), topics.status(), topics.outcomes());
        while (true) {
            List<TopicPartition> partitions = new ArrayList<>();
            List<String> missing = new ArrayList<>();
            for (String topic : names) {
                List<PartitionInfo> infos = kafka.partitionsFor(topic, config.etcdTimeout());
                if (infos == null || infos.isEmpty()) {
                    missing.add(topic);
                } else {
                    infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
                }
            }
            if (missing.isEmpty()) {
                return partitions;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("topics " + missing + " do not exist after " + config.topicWait()
                        + "; create the cluster topics first (TopicBootstrapper)");
            }
            LOG.info("Waiting for topics {} to exist", missing);
            try {
                Thread.sleep(500); // polling for topic creation at start-up
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for topics", e);
            }
        }
    }

    private Map<String, Object> consumerConfig() {
        Map<String, Object> props = new HashMap<>();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.groupId());
        props.put(ConsumerConfig.CLIENT_ID_CONFIG, "vda-projections");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, config.maxPollRecords());
        props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false);
        // Small per-partition fetches, so that one poll holds records of every partition to merge by time.
        props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 256 * 1024);
        props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 32 * 1024 * 1024);
        return props;
    }

    /** Asks the loop to end; returns at once. */
    public void stop() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
    }

    /** Stops and waits for the loop to end. */
    @Override
    public void close() {
        stop();
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
