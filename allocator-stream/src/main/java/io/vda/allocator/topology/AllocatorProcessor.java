package io.vda.allocator.topology;

import io.vda.schema.DeadLetterHeaders;
import io.vda.allocator.AllocatorConfig;
import io.vda.allocator.domain.Allocator;
import io.vda.allocator.domain.AllocatorSettings;
import io.vda.allocator.domain.ClusterModel;
import io.vda.allocator.domain.Commands;
import io.vda.allocator.domain.Handled;
import io.vda.allocator.domain.KeyedEvent;
import io.vda.allocator.domain.ModelChange;
import io.vda.allocator.domain.NodeSpecChange;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.serde.AvroSerde;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shell around the pure domain: reads a command, answers a repeated command id from the outcome store,
 * otherwise lets {@link Allocator#handle} decide, writes the changed entities to the model store and forwards the
 * events, the outcome and the nodes' desired state. All of it commits in one Kafka transaction (exactly_once_v2),
 * together with the command's offset.
 *
 * <p>The in-memory {@link ClusterModel} (with its placement index) is rebuilt from the model store in
 * {@link #init}, which Kafka Streams calls after restoring the store from its changelog, so a restarted instance
 * decides exactly as the one that crashed would have.
 */
final class AllocatorProcessor implements Processor<String, byte[], String, Object> {

    private static final Logger LOG = LoggerFactory.getLogger(AllocatorProcessor.class);

    private final AllocatorSettings settings;
    private final Duration outcomeRetention;
    private final Duration purgeInterval;
    private final AvroSerde<SpecificRecord> commandSerde;

    private ProcessorContext<String, Object> context;
    private KeyValueStore<String, SpecificRecord> modelStore;
    private KeyValueStore<String, CommandOutcome> outcomeStore;
    private ClusterModel model;

    AllocatorProcessor(AllocatorConfig config, AvroSerde<SpecificRecord> commandSerde) {
        this.settings = config.settings();
        this.outcomeRetention = config.outcomeRetention();
        this.purgeInterval = config.outcomePurgeInterval();
        this.commandSerde = commandSerde;
    }

    @Override
    public void init(ProcessorContext<String, Object> context) {
        this.context = context;
        this.modelStore = context.getStateStore(AllocatorTopology.MODEL_STORE);
        this.outcomeStore = context.getStateStore(AllocatorTopology.OUTCOME_STORE);
        this.model = loadModel();
        context.schedule(purgeInterval, PunctuationType.WALL_CLOCK_TIME, this::purgeOutcomes);
    }

    private ClusterModel loadModel() {
        List<SpecificRecord> entities = new ArrayList<>();
        try (KeyValueIterator<String, SpecificRecord> it = modelStore.all()) {
            it.forEachRemaining(kv -> entities.add(kv.value));
        }
        ClusterModel loaded = ClusterModel.restore(settings, entities);
        LOG.info("Cluster model loaded from store {}: {} disk nodes, {} physical disks ({} placeable), {} controller"
                        + " nodes, {} disk arrays", AllocatorTopology.MODEL_STORE, loaded.diskNodes().size(),
                loaded.physicalDisks().size(), loaded.placementIndex().size(), loaded.controllerNodes().size(),
                loaded.diskArrays().size());
        return loaded;
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        SpecificRecord command;
        try {
            command = commandSerde.deserializer().deserialize(topic, record.headers(), record.value());
        } catch (SerializationException e) {
            park(record, e);
            return;
        }
        Optional<String> commandId = Commands.commandId(command);
        if (commandId.isEmpty()) {
            park(record, new IllegalArgumentException(command == null ? "empty command record"
                    : "not a command: " + command.getSchema().getFullName()));
            return;
        }
        CommandOutcome known = outcomeStore.get(commandId.get());
        if (known != null) {
            LOG.info("Command {} ({}) seen before: outcome {} sent again, nothing changed", commandId.get(),
                    Commands.type(command), known.getStatus());
            forward(AllocatorTopology.OUTCOMES_SINK, known.getCommandId(), known, record.timestamp());
            return;
        }
        Handled handled;
        try {
            handled = Allocator.handle(model, command, Instant.ofEpochMilli(context.currentSystemTimeMs()));
        } catch (RuntimeException e) {
            // A bug met by this record: park it, and rebuild the model from the store since the failed command
            // may have changed it half-way (nothing of it reached the store).
            park(record, e);
            model = loadModel();
            return;
        }
        for (ModelChange change : handled.modelChanges()) {
            if (change.value() == null) {
                modelStore.delete(change.key());
            } else {
                modelStore.put(change.key(), change.value());
            }
        }
        CommandOutcome outcome = handled.outcome();
        outcomeStore.put(outcome.getCommandId(), outcome);
        for (KeyedEvent event : handled.events()) {
            forward(AllocatorTopology.EVENTS_SINK, event.key(), event.event(), record.timestamp());
        }
        for (NodeSpecChange spec : handled.nodeSpecs()) {
            RecordHeaders headers = new RecordHeaders();
            headers.add(NodeTopicExtractor.NODE_HEADER, spec.nodeName().getBytes(StandardCharsets.UTF_8));
            context.forward(new Record<String, Object>(spec.objectKey(), spec.spec(), record.timestamp(), headers),
                    AllocatorTopology.NODE_TOPICS_SINK);
        }
        forward(AllocatorTopology.OUTCOMES_SINK, outcome.getCommandId(), outcome, record.timestamp());
        LOG.info("Command {} {} {} {}: {}", outcome.getCommandId(), outcome.getCommandType(),
                outcome.getStatus(), outcome.getReason() == null ? "" : outcome.getReason(), outcome.getMessage());
    }

    private void forward(String sink, String key, Object value, long timestamp) {
        context.forward(new Record<>(key, value, timestamp), sink);
    }

    private void park(Record<String, byte[]> record, Exception error) {
        Optional<RecordMetadata> origin = context.recordMetadata();
        RecordHeaders headers = new RecordHeaders(record.headers().toArray());
        origin.ifPresent(md -> DeadLetterHeaders.origin(headers, md.topic(), md.partition(), md.offset()));
        DeadLetterHeaders.cause(headers, error.getClass().getName() + ": " + error.getMessage(), "allocator");
        context.forward(new Record<String, Object>(record.key(), record.value(), record.timestamp(), headers),
                AllocatorTopology.DEAD_LETTER_SINK);
        LOG.error("Parked record {} on the dead-letter topic: {}",
                origin.map(md -> md.topic() + "-" + md.partition() + "@" + md.offset()).orElse("?"),
                error.toString(), error instanceof SerializationException ? null : error);
    }

    private void purgeOutcomes(long now) {
        long cutoff = now - outcomeRetention.toMillis();
        List<String> expired = new ArrayList<>();
        try (KeyValueIterator<String, CommandOutcome> it = outcomeStore.all()) {
            while (it.hasNext()) {
                KeyValue<String, CommandOutcome> kv = it.next();
                if (kv.value.getDecidedAt().toEpochMilli() < cutoff) {
                    expired.add(kv.key);
                }
            }
        }
        expired.forEach(outcomeStore::delete);
        if (!expired.isEmpty()) {
            LOG.info("Purged {} command outcomes decided before {}", expired.size(), Instant.ofEpochMilli(cutoff));
        }
    }
}
