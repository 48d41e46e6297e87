package io.vda.command.request;

import io.vda.schema.TrustedAvroClasses;
import com.fasterxml.jackson.databind.JsonNode;
import io.vda.schema.command.CreateControllerNode;
import io.vda.schema.command.CreateDiskArray;
import io.vda.schema.command.CreateDiskNode;
import io.vda.schema.command.CreateExporter;
import io.vda.schema.command.CreatePhysicalDisk;
import io.vda.schema.command.DeleteControllerNode;
import io.vda.schema.command.DeleteDiskArray;
import io.vda.schema.command.DeleteDiskNode;
import io.vda.schema.command.DeleteExporter;
import io.vda.schema.command.DeletePhysicalDisk;
import io.vda.schema.command.ModifyControllerNode;
import io.vda.schema.command.ModifyDiskArray;
import io.vda.schema.command.ModifyDiskNode;
import io.vda.schema.command.ModifyExporter;
import io.vda.schema.command.ModifyPhysicalDisk;
import io.vda.schema.common.BdevType;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.QosLimits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;

/**
 * Turns a write request (resource type, operation, names from the path, JSON body) into a validated command. All
 * validation of the API happens here, in one place: every error names its JSON field and the rule it breaks.
 * Fields and rules per resource are documented in {@code docs/api.md} and the OpenAPI document.
 */
public final class CommandRequests {

    private static final Set<String> LISTENER_FIELDS = Set.of("trType", "adrFam", "trAddr", "trSvcId");
    private static final Set<String> QOS_FIELDS = Set.of("rwIosPerSec", "rwMbytesPerSec", "rMbytesPerSec", "wMbytesPerSec");
    private static final Set<String> BACKING_FIELDS = Set.of("type", "sizeBytes", "fileName", "trAddr");

    static {
        // Avro 1.12 builds enum and record defaults only for trusted classes.
        TrustedAvroClasses.ensureInstalled();
    }

    private final Supplier<Instant> clock;

    public CommandRequests(Supplier<Instant> clock) {
        this.clock = clock;
    }

    public CommandRequests() {
        this(() -> Instant.ofEpochMilli(System.currentTimeMillis()));
    }

    /**
     * @param parent the parent's name from the path (physical disks, exporters), else null
     * @param name   the resource's name from the path (modify, delete), null for create (it comes from the body)
     * @param body   the JSON body; for delete it may be null (an optional body may carry only {@code commandId})
     * @throws InvalidRequestException naming every bad field
     */
    public CommandRequest parse(ResourceType type, Operation op, String parent, String name, JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (type.hasParent()) {
            Rules.name(parent).ifPresent(m -> errors.add(new FieldError(type.parentNameField(), m)));
        }
        if (op != Operation.CREATE) {
            Rules.name(name).ifPresent(m -> errors.add(new FieldError(type.nameField(), m)));
        }
        Set<String> allowed = new HashSet<>(fields(type, op));
        allowed.add("commandId");
        JsonObjectReader in = op == Operation.DELETE && (body == null || body.isMissingNode() || body.isNull())
                ? JsonObjectReader.root(com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode(), allowed, errors)
                : JsonObjectReader.root(body, allowed, errors);
        Optional<String> clientId = in.string("commandId");
        clientId.ifPresent(id -> {
            if (!isUuid(id)) {
                in.error("commandId", "must be a UUID (8-4-4-4-12 hex digits)");
            }
        });
        String commandId = clientId.orElseGet(() -> UUID.randomUUID().toString());
        String resourceName = op == Operation.CREATE ? readName(in, type.nameField()) : name;
        Instant now = clock.get();
        Ctx c = new Ctx(in, commandId, now, parent, resourceName);
        Function<Ctx, SpecificRecord> builder = builder(type, op);
        SpecificRecord command = builder.apply(c);
        if (!errors.isEmpty()) {
            throw new InvalidRequestException(errors);
        }
        Optional<String> nodeTopic = op == Operation.CREATE
                && (type == ResourceType.DISK_NODE || type == ResourceType.CONTROLLER_NODE)
                ? Optional.of(resourceName) : Optional.empty();
        return new CommandRequest(commandId, clientId.isPresent(), command, type, op, parent, resourceName, nodeTopic);
    }

    /** The JSON fields each operation accepts (besides {@code commandId}). */
    public static Set<String> fields(ResourceType type, Operation op) {
        return switch (op) {
            case DELETE -> Set.of();
            case CREATE -> switch (type) {
                case DISK_NODE -> Set.of("dnName", "description", "location", "nvmfListener", "isOffline");
                case CONTROLLER_NODE -> Set.of("cnName", "description", "location", "nvmfListener", "isOffline");
                case PHYSICAL_DISK -> Set.of("pdName", "description", "backing", "isOffline");
                case DISK_ARRAY -> Set.of("daName", "description", "sizeBytes", "cntlrCnt", "stripCnt", "stripSizeKb", "qos");
                case EXPORTER -> Set.of("expName", "description", "hostNqns");
            };
            case MODIFY -> switch (type) {
                case DISK_NODE, CONTROLLER_NODE, PHYSICAL_DISK -> Set.of("description", "isOffline");
                case DISK_ARRAY -> Set.of("description", "qos");
                case EXPORTER -> Set.of("description", "hostNqns");
            };
        };
    }

    private record Ctx(JsonObjectReader in, String id, Instant now, String parent, String name) {
    }

    private Function<Ctx, SpecificRecord> builder(ResourceType type, Operation op) {
        return switch (op) {
            case CREATE -> switch (type) {
                case DISK_NODE -> this::createDiskNode;
                case CONTROLLER_NODE -> this::createControllerNode;
                case PHYSICAL_DISK -> this::createPhysicalDisk;
                case DISK_ARRAY -> this::createDiskArray;
                case EXPORTER -> this::createExporter;
            };
            case MODIFY -> switch (type) {
                case DISK_NODE -> this::modifyDiskNode;
                case CONTROLLER_NODE -> this::modifyControllerNode;
                case PHYSICAL_DISK -> this::modifyPhysicalDisk;
                case DISK_ARRAY -> this::modifyDiskArray;
                case EXPORTER -> this::modifyExporter;
            };
            case DELETE -> switch (type) {
                case DISK_NODE -> c -> DeleteDiskNode.newBuilder().setCommandId(c.id).setIssuedAt(c.now)
                        .setDnName(c.name).build();
                case CONTROLLER_NODE -> c -> DeleteControllerNode.newBuilder().setCommandId(c.id).setIssuedAt(c.now)
                        .setCnName(c.name).build();
                case PHYSICAL_DISK -> c -> DeletePhysicalDisk.newBuilder().setCommandId(c.id).setIssuedAt(c.now)
                        .setDnName(c.parent).setPdName(c.name).build();
                case DISK_ARRAY -> c -> DeleteDiskArray.newBuilder().setCommandId(c.id).setIssuedAt(c.now)
                        .setDaName(c.name).build();
                case EXPORTER -> c -> DeleteExporter.newBuilder().setCommandId(c.id).setIssuedAt(c.now)
                        .setDaName(c.parent).setExpName(c.name).build();
            };
        };
    }

    // --- disk nodes and controller nodes

    private SpecificRecord createDiskNode(Ctx c) {
        NodeFields f = nodeFields(c.in);
        return CreateDiskNode.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDnName(c.name)
                .setDescription(f.description).setLocation(f.location).setNvmfListener(f.listener)
                .setIsOffline(f.offline).build();
    }

    private SpecificRecord createControllerNode(Ctx c) {
        NodeFields f = nodeFields(c.in);
        return CreateControllerNode.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setCnName(c.name)
                .setDescription(f.description).setLocation(f.location).setNvmfListener(f.listener)
                .setIsOffline(f.offline).build();
    }

    private record NodeFields(String description, String location, NvmfListener listener, boolean offline) {
    }

    private NodeFields nodeFields(JsonObjectReader in) {
        String description = description(in);
        String location = in.string("location").orElse("");
        Rules.location(location).ifPresent(m -> in.error("location", m));
        NvmfListener listener = in.required("nvmfListener", in.object("nvmfListener", LISTENER_FIELDS))
                .map(this::listener).orElse(PLACEHOLDER_LISTENER);
        boolean offline = in.bool("isOffline").orElse(false);
        return new NodeFields(description, location, listener, offline);
    }

    private static final NvmfListener PLACEHOLDER_LISTENER = NvmfListener.newBuilder().setTrAddr("").setTrSvcId("").build();

    private NvmfListener listener(JsonObjectReader l) {
        String trType = l.string("trType").orElse("tcp");
        Rules.trType(trType).ifPresent(m -> l.error("trType", m));
        String adrFam = l.string("adrFam").orElse("ipv4");
        Rules.adrFam(adrFam).ifPresent(m -> l.error("adrFam", m));
        String trAddr = l.required("trAddr", l.string("trAddr")).orElse("");
        if (l.has("trAddr")) {
            Rules.ipAddress(trAddr, adrFam).ifPresent(m -> l.error("trAddr", m));
        }
        String trSvcId = l.required("trSvcId", l.string("trSvcId")).orElse("");
        if (l.has("trSvcId")) {
            Rules.port(trSvcId).ifPresent(m -> l.error("trSvcId", m));
        }
        return NvmfListener.newBuilder().setTrType(trType).setAdrFam(adrFam).setTrAddr(trAddr).setTrSvcId(trSvcId)
                .build();
    }

    private SpecificRecord modifyDiskNode(Ctx c) {
        requireSomeField(c.in, ResourceType.DISK_NODE);
        return ModifyDiskNode.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDnName(c.name)
                .setDescription(optionalDescription(c.in)).setIsOffline(c.in.bool("isOffline").orElse(null)).build();
    }

    private SpecificRecord modifyControllerNode(Ctx c) {
        requireSomeField(c.in, ResourceType.CONTROLLER_NODE);
        return ModifyControllerNode.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setCnName(c.name)
                .setDescription(optionalDescription(c.in)).setIsOffline(c.in.bool("isOffline").orElse(null)).build();
    }

    // --- physical disks

    private SpecificRecord createPhysicalDisk(Ctx c) {
        String description = description(c.in);
        PhysicalDiskBacking backing = c.in.required("backing", c.in.object("backing", BACKING_FIELDS))
                .map(this::backing)
                .orElse(PhysicalDiskBacking.newBuilder().setSizeBytes(0).build());
        return CreatePhysicalDisk.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDnName(c.parent)
                .setPdName(c.name).setDescription(description).setBacking(backing)
                .setIsOffline(c.in.bool("isOffline").orElse(false)).build();
    }

    private PhysicalDiskBacking backing(JsonObjectReader b) {
        BdevType type = b.required("type", b.string("type")).flatMap(t -> {
            try {
                BdevType parsed = BdevType.valueOf(t.toUpperCase(Locale.ROOT));
                if (parsed != BdevType.UNKNOWN) {
                    return Optional.of(parsed);
                }
            } catch (IllegalArgumentException e) {
                // reported below
            }
            b.error("type", "must be malloc, aio or nvme");
            return Optional.empty();
        }).orElse(BdevType.UNKNOWN);
        long size = b.required("sizeBytes", b.longValue("sizeBytes")).orElse(0L);
        if (b.has("sizeBytes")) {
            Rules.physicalDiskSize(size).ifPresent(m -> b.error("sizeBytes", m));
        }
        String fileName = b.string("fileName").orElse(null);
        String trAddr = b.string("trAddr").orElse(null);
        switch (type) {
            case MALLOC -> {
                forbid(b, "fileName", "malloc");
                forbid(b, "trAddr", "malloc");
            }
            case AIO -> {
                if (b.has("fileName")) {
                    Rules.absolutePath(fileName).ifPresent(m -> b.error("fileName", m));
                } else {
                    b.error("fileName", "is required for aio (the backing file or block device)");
                }
                forbid(b, "trAddr", "aio");
            }
            case NVME -> {
                if (b.has("trAddr")) {
                    Rules.pcieAddress(trAddr).ifPresent(m -> b.error("trAddr", m));
                } else {
                    b.error("trAddr", "is required for nvme (the device's PCIe address)");
                }
                forbid(b, "fileName", "nvme");
            }
            default -> {
                // type error already recorded
            }
        }
        return PhysicalDiskBacking.newBuilder().setType(type).setSizeBytes(size).setFileName(fileName)
                .setTrAddr(trAddr).build();
    }

    private static void forbid(JsonObjectReader b, String field, String type) {
        if (b.has(field)) {
            b.error(field, "is not used by " + type + " backing; leave it out");
        }
    }

    private SpecificRecord modifyPhysicalDisk(Ctx c) {
        requireSomeField(c.in, ResourceType.PHYSICAL_DISK);
        return ModifyPhysicalDisk.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDnName(c.parent)
                .setPdName(c.name).setDescription(optionalDescription(c.in))
                .setIsOffline(c.in.bool("isOffline").orElse(null)).build();
    }

    // --- disk arrays

    private SpecificRecord createDiskArray(Ctx c) {
        JsonObjectReader in = c.in;
        String description = description(in);
        long size = in.required("sizeBytes", in.longValue("sizeBytes")).orElse(0L);
        if (in.has("sizeBytes")) {
            Rules.diskArraySize(size).ifPresent(m -> in.error("sizeBytes", m));
        }
        int cntlrCnt = in.intValue("cntlrCnt").orElse(1);
        Rules.cntlrCnt(cntlrCnt).ifPresent(m -> in.error("cntlrCnt", m));
        int stripCnt = in.intValue("stripCnt").orElse(1);
        Rules.stripCnt(stripCnt).ifPresent(m -> in.error("stripCnt", m));
        int stripSizeKb = in.intValue("stripSizeKb").orElse(64);
        Rules.stripSizeKb(stripSizeKb).ifPresent(m -> in.error("stripSizeKb", m));
        QosLimits qos = in.object("qos", QOS_FIELDS).map(this::qos).orElse(QosLimits.newBuilder().build());
        return CreateDiskArray.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDaName(c.name)
                .setDescription(description).setSizeBytes(size).setCntlrCnt(cntlrCnt).setStripCnt(stripCnt)
                .setStripSizeKb(stripSizeKb).setQos(qos).build();
    }

    private QosLimits qos(JsonObjectReader q) {
        long[] v = new long[4];
        String[] names = {"rwIosPerSec", "rwMbytesPerSec", "rMbytesPerSec", "wMbytesPerSec"};
        for (int i = 0; i < names.length; i++) {
            String field = names[i];
            v[i] = q.longValue(field).orElse(0L);
            Rules.qosLimit(v[i]).ifPresent(m -> q.error(field, m));
        }
        return QosLimits.newBuilder().setRwIosPerSec(v[0]).setRwMbytesPerSec(v[1]).setRMbytesPerSec(v[2])
                .setWMbytesPerSec(v[3]).build();
    }

    private SpecificRecord modifyDiskArray(Ctx c) {
        requireSomeField(c.in, ResourceType.DISK_ARRAY);
        return ModifyDiskArray.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDaName(c.name)
                .setDescription(optionalDescription(c.in))
                .setQos(c.in.object("qos", QOS_FIELDS).map(this::qos).orElse(null)).build();
    }

    // --- exporters

    private SpecificRecord createExporter(Ctx c) {
        String description = description(c.in);
        List<String> hostNqns = hostNqns(c.in).orElse(List.of());
        return CreateExporter.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDaName(c.parent)
                .setExpName(c.name).setDescription(description).setHostNqns(hostNqns).build();
    }

    private SpecificRecord modifyExporter(Ctx c) {
        requireSomeField(c.in, ResourceType.EXPORTER);
        return ModifyExporter.newBuilder().setCommandId(c.id).setIssuedAt(c.now).setDaName(c.parent)
                .setExpName(c.name).setDescription(optionalDescription(c.in))
                .setHostNqns(hostNqns(c.in).orElse(null)).build();
    }

    private Optional<List<String>> hostNqns(JsonObjectReader in) {
        Optional<List<String>> nqns = in.strings("hostNqns");
        nqns.ifPresent(list -> {
            if (list.size() > Rules.MAX_HOST_NQNS) {
                in.error("hostNqns", "must hold at most " + Rules.MAX_HOST_NQNS + " NQNs");
            }
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < list.size(); i++) {
                int index = i;
                Rules.nqn(list.get(i)).ifPresent(m -> in.error("hostNqns[" + index + "]", m));
                if (!seen.add(list.get(i))) {
                    in.error("hostNqns[" + i + "]", "duplicate of an earlier entry");
                }
            }
        });
        return nqns;
    }

    // --- shared

    private static String readName(JsonObjectReader in, String field) {
        Optional<String> name = in.string(field);
        if (name.isEmpty()) {
            if (!in.has(field)) {
                in.error(field, "is required");
            }
            return "";
        }
        Rules.name(name.get()).ifPresent(m -> in.error(field, m));
        return name.get();
    }

    private static String description(JsonObjectReader in) {
        String description = in.string("description").orElse("");
        Rules.description(description).ifPresent(m -> in.error("description", m));
        return description;
    }

    private static String optionalDescription(JsonObjectReader in) {
        return in.has("description") ? description(in) : null;
    }

    private static void requireSomeField(JsonObjectReader in, ResourceType type) {
        boolean any = fields(type, Operation.MODIFY).stream().anyMatch(in::has);
        if (!any) {
            in.error("body", "name at least one field to modify: "
                    + String.join(", ", new java.util.TreeSet<>(fields(type, Operation.MODIFY))));
        }
    }

    private static boolean isUuid(String s) {
        if (s.length() != 36) {
            return false;
        }
        try {
            return UUID.fromString(s).toString().equalsIgnoreCase(s);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
