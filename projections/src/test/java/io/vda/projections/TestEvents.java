package io.vda.projections;

import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.EventMetadata;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.BdevType;
import io.vda.schema.common.QosLimits;
import io.vda.schema.common.RejectReason;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.CommandStatus;
import io.vda.schema.event.ControllerFailedOver;
import io.vda.schema.event.DiskArrayCreated;
import io.vda.schema.event.DiskArrayDeleted;
import io.vda.schema.event.DiskArrayModified;
import io.vda.schema.event.DiskNodeCreated;
import io.vda.schema.event.ExporterCreated;
import io.vda.schema.event.ExporterDeleted;
import io.vda.schema.event.NodeFailed;
import io.vda.schema.event.NodeRecovered;
import io.vda.schema.event.NodeRedriven;
import io.vda.schema.event.PhysicalDiskCreated;
import io.vda.schema.model.ControllerNode;
import io.vda.schema.model.ControllerPlacement;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.DiskNode;
import io.vda.schema.model.Exporter;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.model.VirtualDiskPlacement;
import io.vda.schema.event.ControllerNodeCreated;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectState;
import io.vda.schema.status.ObjectStatus;
import io.vda.schema.RecordKeys;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Builds events and status records with the generated Avro builders, at explicit times. */
public final class TestEvents {

    /**
     * An hour ago: record times must stay within the broker's accepted window (Kafka 4 rejects timestamps more than
     * an hour in the future, {@code log.message.timestamp.after.max.ms}).
     */
    public static final Instant T0 = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(1, ChronoUnit.HOURS);

    static {
        // Avro 1.12 builds only trusted classes; creating a deserializer installs the trust of io.vda.schema.*.
        new io.vda.schema.serde.AvroDeserializer<>(new io.vda.schema.serde.InMemorySchemaRegistry(),
                org.apache.avro.specific.SpecificRecord.class);
    }

    private TestEvents() {
    }

    public static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    public static Instant atMillis(long millis) {
        return T0.plusMillis(millis);
    }

    public static EventMetadata metadata(ResourceKind kind, String name, Instant at) {
        return EventMetadata.newBuilder().setEventId(UUID.nameUUIDFromBytes((kind + name + at).getBytes()).toString())
                .setResourceKind(kind).setResourceName(name)
                .setCommandId("cmd-" + name.replace('/', '-') + "-" + at.getEpochSecond()).setOccurredAt(at).build();
    }

    static NvmfListener listener(int port) {
        return NvmfListener.newBuilder().setTrAddr("127.0.0.1").setTrSvcId(Integer.toString(port)).build();
    }

    static QosLimits noQos() {
        return QosLimits.newBuilder().build();
    }

    public static DiskNodeCreated diskNodeCreated(String dn, Instant at) {
        return DiskNodeCreated.newBuilder().setMetadata(metadata(ResourceKind.DISK_NODE, dn, at))
                .setDiskNode(DiskNode.newBuilder().setDnName(dn).setNvmfListener(listener(4420)).build()).build();
    }

    public static ControllerNodeCreated controllerNodeCreated(String cn, Instant at) {
        return ControllerNodeCreated.newBuilder().setMetadata(metadata(ResourceKind.CONTROLLER_NODE, cn, at))
                .setControllerNode(ControllerNode.newBuilder().setCnName(cn).setNvmfListener(listener(4430))
                        .setHostNqn("nqn.2016-06.io.spdk:vda-host-" + cn).build()).build();
    }

    public static PhysicalDiskCreated physicalDiskCreated(String dn, String pd, Instant at) {
        return PhysicalDiskCreated.newBuilder()
                .setMetadata(metadata(ResourceKind.PHYSICAL_DISK, RecordKeys.physicalDiskName(dn, pd), at))
                .setPhysicalDisk(PhysicalDisk.newBuilder().setDnName(dn).setPdName(pd)
                        .setBacking(PhysicalDiskBacking.newBuilder().setType(BdevType.MALLOC)
                                .setSizeBytes(1L << 30).build())
                        .setUsableBytes(1L << 30).build()).build();
    }

    /** A disk array with one VD per disk node and controllers on the given controller nodes (first is primary). */
    public static DiskArray diskArray(String da, List<String> diskNodes, List<String> controllerNodes, long epoch) {
        List<VirtualDiskPlacement> vds = new ArrayList<>();
        for (int i = 0; i < diskNodes.size(); i++) {
            vds.add(VirtualDiskPlacement.newBuilder().setVdIndex(i).setDnName(diskNodes.get(i)).setPdName("pd0")
                    .setSizeBytes(1L << 26).setQos(noQos()).build());
        }
        List<ControllerPlacement> controllers = new ArrayList<>();
        for (int i = 0; i < controllerNodes.size(); i++) {
            controllers.add(ControllerPlacement.newBuilder().setCnName(controllerNodes.get(i))
                    .setRole(i == 0 ? ControllerRole.PRIMARY : ControllerRole.SECONDARY).build());
        }
        return DiskArray.newBuilder().setDaName(da).setSizeBytes((long) diskNodes.size() << 26)
                .setPhysicalSizeBytes((long) diskNodes.size() << 26).setCntlrCnt(controllerNodes.size())
                .setStripCnt(diskNodes.size()).setStripSizeKb(64).setQos(noQos()).setVirtualDisks(vds)
                .setControllers(controllers).setEpoch(epoch).build();
    }

    public static DiskArrayCreated diskArrayCreated(DiskArray da, Instant at) {
        return DiskArrayCreated.newBuilder().setMetadata(metadata(ResourceKind.DISK_ARRAY, da.getDaName(), at))
                .setDiskArray(da).build();
    }

    public static DiskArrayModified diskArrayModified(DiskArray da, Instant at) {
        return DiskArrayModified.newBuilder().setMetadata(metadata(ResourceKind.DISK_ARRAY, da.getDaName(), at))
                .setDiskArray(da).build();
    }

    public static DiskArrayDeleted diskArrayDeleted(DiskArray da, Instant at) {
        return DiskArrayDeleted.newBuilder().setMetadata(metadata(ResourceKind.DISK_ARRAY, da.getDaName(), at))
                .setDiskArray(da).build();
    }

    public static ControllerFailedOver failedOver(DiskArray da, String failed, Instant at) {
        return ControllerFailedOver.newBuilder().setMetadata(metadata(ResourceKind.DISK_ARRAY, da.getDaName(), at))
                .setFailedCnName(failed).setNewPrimaryCnName(da.getControllers().get(0).getCnName())
                .setDiskArray(da).build();
    }

    public static Exporter exporter(String da, String exp) {
        return Exporter.newBuilder().setDaName(da).setExpName(exp).setHostNqns(List.of("nqn.host:" + exp))
                .setTargetNqn("nqn.2016-06.io.spdk:vda-exp-" + da + "-" + exp).setSerialNumber("VDA" + exp)
                .setModelNumber("VDA").setNamespaceUuid(UUID.nameUUIDFromBytes((da + exp).getBytes()).toString())
                .build();
    }

    public static ExporterCreated exporterCreated(String da, String exp, Instant at) {
        return ExporterCreated.newBuilder()
                .setMetadata(metadata(ResourceKind.EXPORTER, RecordKeys.exporterName(da, exp), at))
                .setExporter(exporter(da, exp)).build();
    }

    public static ExporterDeleted exporterDeleted(String da, String exp, Instant at) {
        return ExporterDeleted.newBuilder()
                .setMetadata(metadata(ResourceKind.EXPORTER, RecordKeys.exporterName(da, exp), at))
                .setExporter(exporter(da, exp)).build();
    }

    public static NodeFailed nodeFailed(String node, NodeKind kind, List<String> affected, Instant at) {
        ResourceKind resourceKind = kind == NodeKind.DISK_NODE ? ResourceKind.DISK_NODE : ResourceKind.CONTROLLER_NODE;
        return NodeFailed.newBuilder().setMetadata(metadata(resourceKind, node, at)).setNodeName(node)
                .setNodeKind(kind).setLastHeartbeatAt(at.minusSeconds(10)).setAffectedDiskArrays(affected).build();
    }

    public static NodeRecovered nodeRecovered(String node, NodeKind kind, Instant at) {
        ResourceKind resourceKind = kind == NodeKind.DISK_NODE ? ResourceKind.DISK_NODE : ResourceKind.CONTROLLER_NODE;
        return NodeRecovered.newBuilder().setMetadata(metadata(resourceKind, node, at)).setNodeName(node)
                .setNodeKind(kind).build();
    }

    public static NodeRedriven nodeRedriven(String node, NodeKind kind, List<String> objectKeys, Instant at) {
        ResourceKind resourceKind = kind == NodeKind.DISK_NODE ? ResourceKind.DISK_NODE : ResourceKind.CONTROLLER_NODE;
        return NodeRedriven.newBuilder().setMetadata(metadata(resourceKind, node, at)).setNodeName(node)
                .setNodeKind(kind).setObjectKeys(objectKeys).setReason("stuck past the drift bound")
                .setRecordsEmitted(4).build();
    }

    public static ObjectStatus status(String node, String objectKey, ResourceKind kind, String resource,
                                      ObjectState state, String message, long epoch, Instant at) {
        return ObjectStatus.newBuilder().setNodeName(node).setObjectKey(objectKey).setResourceKind(kind)
                .setResourceName(resource).setState(state).setMessage(message).setEpoch(epoch).setObservedAt(at)
                .build();
    }

    /** OK status of every object a disk array expects (VDs, controllers, the given exporters), at an epoch. */
    public static List<ObjectStatus> allOk(DiskArray da, List<String> exporters, Instant at) {
        String name = da.getDaName();
        List<ObjectStatus> out = new ArrayList<>();
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            out.add(status(vd.getDnName(), RecordKeys.virtualDiskObject(name, vd.getVdIndex()),
                    ResourceKind.DISK_ARRAY, name, ObjectState.OK, null, da.getEpoch(), at));
        }
        for (ControllerPlacement c : da.getControllers()) {
            out.add(status(c.getCnName(), RecordKeys.controllerObject(name), ResourceKind.DISK_ARRAY, name,
                    ObjectState.OK, null, da.getEpoch(), at));
            for (String exp : exporters) {
                out.add(status(c.getCnName(), RecordKeys.exporterObject(name, exp), ResourceKind.EXPORTER,
                        RecordKeys.exporterName(name, exp), ObjectState.OK, null, da.getEpoch(), at));
            }
        }
        return out;
    }

    public static NodeStatus nodeStatus(String node, NodeKind kind, boolean reachable, Instant at) {
        return NodeStatus.newBuilder().setNodeName(node).setNodeKind(kind).setSpdkReachable(reachable)
                .setSpdkVersion("SPDK v24.09").setMessage(reachable ? null : "connection refused").setObservedAt(at)
                .build();
    }

    public static CommandOutcome succeeded(String commandId, String type, ResourceKind kind, String name, Instant at) {
        return CommandOutcome.newBuilder().setCommandId(commandId).setCommandType(type)
                .setStatus(CommandStatus.SUCCEEDED).setResourceKind(kind).setResourceName(name).setDecidedAt(at)
                .build();
    }

    public static CommandOutcome rejected(String commandId, String type, ResourceKind kind, String name,
                                          RejectReason reason, String message, Instant at) {
        return CommandOutcome.newBuilder().setCommandId(commandId).setCommandType(type)
                .setStatus(CommandStatus.REJECTED).setResourceKind(kind).setResourceName(name).setReason(reason)
                .setMessage(message).setDecidedAt(at).build();
    }
}
