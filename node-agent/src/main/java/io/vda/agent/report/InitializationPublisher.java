package io.vda.agent.report;

import io.vda.agent.reconcile.Executor;
import io.vda.schema.RecordKeys;
import io.vda.schema.command.MarkDiskArrayInitialized;
import io.vda.schema.common.ResourceKind;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes {@link MarkDiskArrayInitialized} when a primary created (or found, before the allocator recorded it) a
 * disk array's lvstore. The command id is derived from the array and the lvstore uuid, so a repeat (agent restart)
 * is the same command. Sent synchronously; once per array and uuid per process.
 */
public final class InitializationPublisher implements Executor.InitializationListener {
    private static final Logger LOG = LoggerFactory.getLogger(InitializationPublisher.class);

    private final String topic;
    private final String cnName;
    private final Producer<String, SpecificRecord> producer;
    private final Set<String> published = ConcurrentHashMap.newKeySet();

    public InitializationPublisher(String commandsTopic, String cnName, Producer<String, SpecificRecord> producer) {
        this.topic = commandsTopic;
        this.cnName = cnName;
        this.producer = producer;
    }

    public static String commandId(String daName, String lvstoreUuid) {
        return UUID.nameUUIDFromBytes(("mark-disk-array-initialized\0" + daName + "\0" + lvstoreUuid)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    @Override
    public void lvstoreInitialized(String daName, long epoch, String lvstoreUuid) {
        if (!published.add(daName + "/" + lvstoreUuid)) {
            return;
        }
        String id = commandId(daName, lvstoreUuid);
        LOG.info("Disk array {}: lvstore {} exists; publishing MarkDiskArrayInitialized {}", daName, lvstoreUuid, id);
        MarkDiskArrayInitialized command = MarkDiskArrayInitialized.newBuilder().setCommandId(id)
                .setIssuedAt(Instant.now()).setDaName(daName).setCnName(cnName).setEpoch(epoch)
                .setLvstoreUuid(lvstoreUuid).build();
        try {
            producer.send(new ProducerRecord<>(topic, RecordKeys.resource(ResourceKind.DISK_ARRAY, daName), command))
                    .get(10, TimeUnit.SECONDS);
            LOG.info("Disk array {}: MarkDiskArrayInitialized {} published", daName, id);
        } catch (ExecutionException | TimeoutException e) {
            published.remove(daName + "/" + lvstoreUuid);
            LOG.warn("Disk array {}: MarkDiskArrayInitialized {} not published, will retry: {}", daName, id,
                    e.toString());
        } catch (InterruptedException e) {
            published.remove(daName + "/" + lvstoreUuid);
            Thread.currentThread().interrupt();
        }
    }
}
