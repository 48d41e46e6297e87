package io.vda.allocator.topology;

import io.vda.allocator.AllocatorConfig;
import io.vda.schema.Topics;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.SchemaRegistry;
import java.util.Properties;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.LogAndFailProcessingExceptionHandler;
import org.apache.kafka.streams.state.Stores;

/**
 * The allocator's topology: the commands topic → one processor that decides with the pure domain and keeps the
 * cluster model in a state store → the events, outcomes, per-node desired-state and dead-letter topics.
 * See {@code package-info.java} for how it partitions and why placement stays consistent.
 *
 * <pre>
 *   commands-source ─▶ allocator ─┬─▶ events-sink       (&lt;p&gt;.events)
 *   [cluster-model,               ├─▶ outcomes-sink     (&lt;p&gt;.outcomes)
 *    outcomes-by-command]         ├─▶ node-topics-sink  (&lt;p&gt;.node.&lt;node&gt;, by header)
 *                                 └─▶ dead-letter-sink  (&lt;p&gt;.dead-letter)
 * </pre>
 */
public final class AllocatorTopology {

    public static final String SOURCE = "commands-source";
    public static final String PROCESSOR = "allocator";
    public static final String EVENTS_SINK = "events-sink";
    public static final String OUTCOMES_SINK = "outcomes-sink";
    public static final String NODE_TOPICS_SINK = "node-topics-sink";
    public static final String DEAD_LETTER_SINK = "dead-letter-sink";
    public static final String MODEL_STORE = "cluster-model";
    public static final String OUTCOME_STORE = "outcomes-by-command";

    private AllocatorTopology() {
    }

    public static Topology build(AllocatorConfig config, SchemaRegistry registry) {
        Topics topics = config.topics();
        AvroSerde<SpecificRecord> any = AvroSerde.any(registry);
        AvroSerde<CommandOutcome> outcomeSerde = AvroSerde.of(registry, CommandOutcome.class);

        Topology topology = new Topology();
        // Values arrive as bytes and are read inside the processor, so that a poison record is parked on the
        // dead-letter topic in the same transaction as the offset that skips it (see package-info).
        topology.addSource(SOURCE, new StringDeserializer(), new ByteArrayDeserializer(), topics.commands());
        topology.addProcessor(PROCESSOR, () -> new AllocatorProcessor(config, AvroSerde.any(registry)), SOURCE);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(MODEL_STORE),
                Serdes.String(), any), PROCESSOR);
        topology.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(OUTCOME_STORE),
                Serdes.String(), outcomeSerde), PROCESSOR);
        topology.addSink(EVENTS_SINK, topics.events(), new StringSerializer(), any.serializer(), PROCESSOR);
        topology.addSink(OUTCOMES_SINK, topics.outcomes(), new StringSerializer(), outcomeSerde.serializer(),
                PROCESSOR);
        topology.addSink(NODE_TOPICS_SINK, new NodeTopicExtractor(topics), new StringSerializer(), any.serializer(),
                PROCESSOR);
        topology.addSink(DEAD_LETTER_SINK, topics.deadLetter(), new StringSerializer(), new ByteArraySerializer(),
                PROCESSOR);
        return topology;
    }

    /** Kafka Streams settings: exactly_once_v2, one thread, short commits, handlers for what escapes the processor. */
    public static Properties streamsProperties(AllocatorConfig config) {
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, config.applicationId());
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, config.bootstrapServers());
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1);
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, config.commitInterval().toMillis());
        p.put(StreamsConfig.STATE_DIR_CONFIG, config.stateDir().toString());
        p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) config.replicationFactor());
        p.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
        // Keys are strings and values bytes at the source, so nothing can fail to deserialize there; should it,
        // skip and log. A processing exception escaping the processor (a store or infrastructure failure, not a
        // poison record, which the processor parks itself) fails the thread so the transaction aborts and the
        // command is retried instead of losing its outcome.
        p.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        p.put(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndFailProcessingExceptionHandler.class);
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG),
                (int) config.sessionTimeout().toMillis());
        p.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG),
                (int) Math.max(500, config.sessionTimeout().toMillis() / 4));
        p.put(StreamsConfig.producerPrefix(ProducerConfig.COMPRESSION_TYPE_CONFIG), "lz4");
        return p;
    }
}
