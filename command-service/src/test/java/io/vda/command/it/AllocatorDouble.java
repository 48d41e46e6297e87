package io.vda.command.it;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.PutOption;
import io.vda.command.request.ResourceType;
import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import io.vda.schema.command.*;
import io.vda.schema.json.AvroJson;
import io.vda.schema.model.ControllerNode;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.DiskNode;
import io.vda.schema.model.Exporter;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.SchemaRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * A stand-in for the allocator and the projections, honest about what it is: it consumes {@code <p>.commands} as
 * the allocator will, decides with a toy rule set (existence, parents, a capacity limit for disk arrays) and writes
 * what the projections will write, in the documented formats: the resource document at its {@link EtcdKeys} key and
 * the CommandOutcome document at {@link EtcdKeys#commandOutcome}, in one etcd transaction. It records every command
 * it saw, so tests can check what reached Kafka. Disk arrays named {@code slow-*} are never decided (to exercise
 * wait timeouts). No placement, no events, no node topics.
 */
final class AllocatorDouble implements AutoCloseable {

    static final long CAPACITY_BYTES = 1L << 40;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaConsumer<String, SpecificRecord> consumer;
    private final Client etcd;
    private final EtcdKeys keys;
    private final Thread thread;
    private final Map<String, ObjectNode> specs = new ConcurrentHashMap<>();
    private final Map<String, ObjectNode> outcomes = new ConcurrentHashMap<>();
    final List<ConsumerRecord<String, SpecificRecord>> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile boolean running = true;

    AllocatorDouble(String bootstrap, Topics topics, Client etcd, EtcdKeys keys, SchemaRegistry registry) {
        this.etcd = etcd;
        this.keys = keys;
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, topics.prefix() + "-allocator-double",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), AvroSerde.any(registry).deserializer());
        consumer.subscribe(List.of(topics.commands()));
        this.thread = new Thread(this::run, "allocator-double");
        thread.setDaemon(true);
        thread.start();
    }

    List<SpecificRecord> commandsFor(String recordKey) {
        return seen.stream().filter(r -> r.key().equals(recordKey)).map(ConsumerRecord::value).toList();
    }

    private void run() {
        try {
            while (running) {
                for (ConsumerRecord<String, SpecificRecord> record : consumer.poll(Duration.ofMillis(100))) {
                    seen.add(record);
                    decide(record.value());
                }
            }
        } catch (WakeupException e) {
            // closing
        } finally {
            consumer.close();
        }
    }

    private record Target(ResourceType type, String parent, String name) {
        String key() {
            return type + "/" + type.resourceName(parent, name);
        }
    }

    private void decide(SpecificRecord command) {
        String id = field(command, "commandId");
        if (outcomes.containsKey(id)) {
            write(outcomes.get(id), null, null, false); // a repeated command gets the same outcome again
            return;
        }
        String type = command.getSchema().getName();
        Target t = target(command);
        if (t.type == ResourceType.DISK_ARRAY && t.name.startsWith("slow-")) {
            return;
        }
        String etcdKey = t.type.etcdKey(keys, t.parent, t.name);
        boolean exists = specs.containsKey(t.key());
        if (type.startsWith("Create")) {
            if (exists) {
                reject(command, t, "ALREADY_EXISTS", t.type.words() + " " + t.name + " already exists");
            } else if (t.parent != null && !specs.containsKey(new Target(t.type.parentType(), null, t.parent).key())) {
                reject(command, t, "NOT_FOUND", t.type.parentType().words() + " " + t.parent + " does not exist");
            } else if (command instanceof CreateDiskArray da && da.getSizeBytes() > CAPACITY_BYTES) {
                reject(command, t, "INSUFFICIENT_CAPACITY", "no physical disks with " + da.getSizeBytes()
                        + " bytes free (the test double's capacity is " + CAPACITY_BYTES + ")");
            } else {
                ObjectNode spec = AvroJson.toJson(model(command));
                specs.put(t.key(), spec);
                succeed(command, t, etcdKey, spec);
            }
        } else if (!exists) {
            reject(command, t, "NOT_FOUND", t.type.words() + " " + t.name + " does not exist");
        } else if (type.startsWith("Delete")) {
            specs.remove(t.key());
            succeed(command, t, etcdKey, null);
        } else {
            ObjectNode spec = specs.get(t.key());
            ObjectNode changes = AvroJson.toJson(command);
            changes.fields().forEachRemaining(e -> {
                if (!e.getValue().isNull() && spec.has(e.getKey())) {
                    spec.set(e.getKey(), e.getValue());
                }
            });
            succeed(command, t, etcdKey, spec);
        }
    }

    private static Target target(SpecificRecord c) {
        return switch (c.getSchema().getName().replaceFirst("^(Create|Modify|Delete)", "")) {
            case "DiskNode" -> new Target(ResourceType.DISK_NODE, null, field(c, "dnName"));
            case "ControllerNode" -> new Target(ResourceType.CONTROLLER_NODE, null, field(c, "cnName"));
            case "PhysicalDisk" -> new Target(ResourceType.PHYSICAL_DISK, field(c, "dnName"), field(c, "pdName"));
            case "DiskArray" -> new Target(ResourceType.DISK_ARRAY, null, field(c, "daName"));
            case "Exporter" -> new Target(ResourceType.EXPORTER, field(c, "daName"), field(c, "expName"));
            default -> throw new IllegalArgumentException("the double does not handle " + c.getSchema().getName());
        };
    }

    private static SpecificRecord model(SpecificRecord c) {
        if (c instanceof CreateDiskNode d) {
            return DiskNode.newBuilder().setDnName(d.getDnName()).setDescription(d.getDescription())
                    .setLocation(d.getLocation()).setNvmfListener(d.getNvmfListener()).setIsOffline(d.getIsOffline())
                    .build();
        } else if (c instanceof CreateControllerNode n) {
            return ControllerNode.newBuilder().setCnName(n.getCnName()).setDescription(n.getDescription())
                    .setLocation(n.getLocation()).setNvmfListener(n.getNvmfListener()).setIsOffline(n.getIsOffline())
                    .setHostNqn(NvmeNames.controllerHostNqn(n.getCnName())).build();
        } else if (c instanceof CreatePhysicalDisk p) {
            return PhysicalDisk.newBuilder().setDnName(p.getDnName()).setPdName(p.getPdName())
                    .setDescription(p.getDescription()).setBacking(p.getBacking())
                    .setUsableBytes(p.getBacking().getSizeBytes() / (4L << 20) * (4L << 20) - (4L << 20))
                    .setIsOffline(p.getIsOffline()).build();
        } else if (c instanceof CreateDiskArray a) {
            return DiskArray.newBuilder().setDaName(a.getDaName()).setDescription(a.getDescription())
                    .setSizeBytes(a.getSizeBytes()).setPhysicalSizeBytes(a.getSizeBytes()).setCntlrCnt(a.getCntlrCnt())
                    .setStripCnt(a.getStripCnt()).setStripSizeKb(a.getStripSizeKb()).setQos(a.getQos()).build();
        } else if (c instanceof CreateExporter e) {
            return Exporter.newBuilder().setDaName(e.getDaName()).setExpName(e.getExpName())
                    .setDescription(e.getDescription()).setHostNqns(e.getHostNqns())
                    .setTargetNqn(NvmeNames.exporterNqn(e.getDaName(), e.getExpName()))
                    .setSerialNumber(NvmeNames.exporterSerialNumber(e.getDaName(), e.getExpName()))
                    .setModelNumber(NvmeNames.MODEL_NUMBER)
                    .setNamespaceUuid(NvmeNames.exporterNamespaceUuid(e.getDaName(), e.getExpName())).build();
        }
        throw new IllegalArgumentException(c.getSchema().getName());
    }

    private void succeed(SpecificRecord command, Target t, String etcdKey, ObjectNode spec) {
        ObjectNode outcome = outcome(command, t, "SUCCEEDED", null, "");
        ObjectNode doc = null;
        if (spec != null) {
            doc = JSON.createObjectNode();
            doc.put("schemaVersion", 1).put("kind", t.type.kind().name()).put("name", t.type.resourceName(t.parent, t.name));
            doc.set("spec", spec);
            doc.put("state", "ready");
            doc.putObject("status").putArray("objects");
            ((ObjectNode) doc.get("status")).putArray("errors");
            doc.put("lastCommandId", field(command, "commandId")).put("updatedAt", Instant.now().toString());
        }
        write(outcome, etcdKey, doc, spec == null);
    }

    private void reject(SpecificRecord command, Target t, String reason, String message) {
        write(outcome(command, t, "REJECTED", reason, message), null, null, false);
    }

    private ObjectNode outcome(SpecificRecord command, Target t, String status, String reason, String message) {
        ObjectNode o = JSON.createObjectNode();
        o.put("schemaVersion", 1).put("commandId", field(command, "commandId"))
                .put("commandType", command.getSchema().getName()).put("status", status)
                .put("resourceKind", t.type.kind().name()).put("resourceName", t.type.resourceName(t.parent, t.name))
                .put("reason", reason).put("message", message).put("decidedAt", Instant.now().toString());
        outcomes.put(o.get("commandId").asText(), o);
        return o;
    }

    private void write(ObjectNode outcome, String resourceKey, ObjectNode resource, boolean deleteResource) {
        List<Op> ops = new java.util.ArrayList<>();
        if (resourceKey != null && resource != null) {
            ops.add(Op.put(bytes(resourceKey), bytes(resource.toString()), PutOption.DEFAULT));
        }
        if (resourceKey != null && deleteResource) {
            ops.add(Op.delete(bytes(resourceKey), DeleteOption.DEFAULT));
        }
        ops.add(Op.put(bytes(keys.commandOutcome(outcome.get("commandId").asText())), bytes(outcome.toString()),
                PutOption.DEFAULT));
        try {
            etcd.getKVClient().txn().Then(ops.toArray(Op[]::new)).commit().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the allocator double could not write to etcd", e);
        }
    }

    private static String field(SpecificRecord r, String name) {
        return String.valueOf(r.get(r.getSchema().getField(name).pos()));
    }

    static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        consumer.wakeup();
        thread.join(10_000);
    }

}
