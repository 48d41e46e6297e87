package io.vda.allocator.domain;

import io.vda.schema.TrustedAvroClasses;
import io.vda.schema.RecordKeys;
import io.vda.schema.ResourceNames;
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
import io.vda.schema.command.FailoverController;
import io.vda.schema.command.MarkDiskArrayInitialized;
import io.vda.schema.command.MarkNodeFailed;
import io.vda.schema.command.MarkNodeRecovered;
import io.vda.schema.command.ModifyControllerNode;
import io.vda.schema.command.ModifyDiskArray;
import io.vda.schema.command.ModifyDiskNode;
import io.vda.schema.command.ModifyExporter;
import io.vda.schema.command.ModifyPhysicalDisk;
import io.vda.schema.command.RedriveNode;
import io.vda.schema.common.BdevType;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.EventMetadata;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.QosLimits;
import io.vda.schema.common.RejectReason;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.CommandStatus;
import io.vda.schema.event.ControllerFailedOver;
import io.vda.schema.event.ControllerNodeCreated;
import io.vda.schema.event.ControllerNodeDeleted;
import io.vda.schema.event.ControllerNodeModified;
import io.vda.schema.event.ControllerNodeRejected;
import io.vda.schema.event.DiskArrayCreated;
import io.vda.schema.event.DiskArrayDeleted;
import io.vda.schema.event.DiskArrayInitialized;
import io.vda.schema.event.DiskArrayModified;
import io.vda.schema.event.DiskArrayRejected;
import io.vda.schema.event.DiskNodeCreated;
import io.vda.schema.event.DiskNodeDeleted;
import io.vda.schema.event.DiskNodeModified;
import io.vda.schema.event.DiskNodeRejected;
import io.vda.schema.event.ExporterCreated;
import io.vda.schema.event.ExporterDeleted;
import io.vda.schema.event.ExporterModified;
import io.vda.schema.event.ExporterRejected;
import io.vda.schema.event.NodeFailed;
import io.vda.schema.event.NodeRecovered;
import io.vda.schema.event.NodeRedriven;
import io.vda.schema.event.PhysicalDiskCreated;
import io.vda.schema.event.PhysicalDiskDeleted;
import io.vda.schema.event.PhysicalDiskModified;
import io.vda.schema.event.PhysicalDiskRejected;
import io.vda.schema.model.ControllerNode;
import io.vda.schema.model.ControllerPlacement;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.DiskNode;
import io.vda.schema.model.Exporter;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.model.VirtualDiskPlacement;
import io.vda.schema.naming.Nqn;
import io.vda.schema.naming.NvmeNames;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/**
 * The allocator's decisions: {@link #decide} answers a command from the model without changing it (an outcome and
 * events, or a rejection with a reason a user can act on); {@link #handle} also folds the events into the model and
 * derives the desired state of every node they touch. Pure: no I/O, no clock (time is passed in), no Kafka.
 */
public final class Allocator {

    public static final int MAX_STRIP_COUNT = 64;
    public static final int MAX_CONTROLLER_COUNT = 8;
    public static final int MIN_STRIP_SIZE_KB = 4;
    public static final int MAX_STRIP_SIZE_KB = 1024 * 1024;

    static {
        TrustedAvroClasses.ensureInstalled();
    }

    private Allocator() {
    }

    /** Decides, applies the events to the model and derives the nodes' desired state. */
    public static Handled handle(ClusterModel model, SpecificRecord command, Instant now) {
        Decision decision = decide(model, command, now);
        List<NodeSpecChange> specs = new ArrayList<>();
        for (KeyedEvent event : decision.events()) {
            model.evolve(event.event());
            specs.addAll(DesiredState.changes(model, event.event()));
        }
        return new Handled(decision.outcome(), decision.events(), specs, model.drainChanges());
    }

    /**
     * The outcome of one command and the events that carry it out (a …Rejected event when rejected).
     *
     * @throws IllegalArgumentException if the record is not a command (no command id): a poison record
     */
    public static Decision decide(ClusterModel model, SpecificRecord command, Instant now) {
        String commandId = Commands.commandId(command)
                .orElseThrow(() -> new IllegalArgumentException("not a command: " + command.getSchema().getFullName()));
        Context ctx = new Context(commandId, Commands.type(command), now);
        try {
            return ctx.succeed(dispatch(model, command, ctx));
        } catch (Rejection r) {
            return ctx.reject(r);
        }
    }

    private static String dispatch(ClusterModel model, SpecificRecord command, Context ctx) {
        if (command instanceof CreateDiskNode c) {
            return createDiskNode(model, c, ctx);
        } else if (command instanceof DeleteDiskNode c) {
            return deleteDiskNode(model, c, ctx);
        } else if (command instanceof ModifyDiskNode c) {
            return modifyDiskNode(model, c, ctx);
        } else if (command instanceof CreatePhysicalDisk c) {
            return createPhysicalDisk(model, c, ctx);
        } else if (command instanceof DeletePhysicalDisk c) {
            return deletePhysicalDisk(model, c, ctx);
        } else if (command instanceof ModifyPhysicalDisk c) {
            return modifyPhysicalDisk(model, c, ctx);
        } else if (command instanceof CreateControllerNode c) {
            return createControllerNode(model, c, ctx);
        } else if (command instanceof DeleteControllerNode c) {
            return deleteControllerNode(model, c, ctx);
        } else if (command instanceof ModifyControllerNode c) {
            return modifyControllerNode(model, c, ctx);
        } else if (command instanceof CreateDiskArray c) {
            return createDiskArray(model, c, ctx);
        } else if (command instanceof DeleteDiskArray c) {
            return deleteDiskArray(model, c, ctx);
        } else if (command instanceof ModifyDiskArray c) {
            return modifyDiskArray(model, c, ctx);
        } else if (command instanceof CreateExporter c) {
            return createExporter(model, c, ctx);
        } else if (command instanceof DeleteExporter c) {
            return deleteExporter(model, c, ctx);
        } else if (command instanceof ModifyExporter c) {
            return modifyExporter(model, c, ctx);
        } else if (command instanceof MarkNodeFailed c) {
            return markNodeFailed(model, c, ctx);
        } else if (command instanceof MarkNodeRecovered c) {
            return markNodeRecovered(model, c, ctx);
        } else if (command instanceof FailoverController c) {
            return failoverController(model, c, ctx);
        } else if (command instanceof MarkDiskArrayInitialized c) {
            return markDiskArrayInitialized(model, c, ctx);
        } else if (command instanceof RedriveNode c) {
            return redriveNode(model, c, ctx);
        }
        ctx.resource(ResourceKind.UNKNOWN, "");
        throw new Rejection(RejectReason.INVALID, "the allocator does not know the command type " + ctx.commandType);
    }

    // ------------------------------------------------------------------ disk nodes

    private static String createDiskNode(ClusterModel model, CreateDiskNode c, Context ctx) {
        ctx.resource(ResourceKind.DISK_NODE, c.getDnName());
        validName("disk node", c.getDnName());
        validListener("disk node '" + c.getDnName() + "'", c.getNvmfListener());
        nodeNameFree(model, c.getDnName());
        DiskNode dn = DiskNode.newBuilder().setDnName(c.getDnName()).setDescription(c.getDescription())
                .setLocation(c.getLocation()).setNvmfListener(c.getNvmfListener()).setIsOffline(c.getIsOffline())
                .build();
        ctx.emit(new DiskNodeCreated(ctx.metadata(), dn));
        return "disk node '" + dn.getDnName() + "' created" + locationText(dn.getLocation());
    }

    private static String deleteDiskNode(ClusterModel model, DeleteDiskNode c, Context ctx) {
        ctx.resource(ResourceKind.DISK_NODE, c.getDnName());
        DiskNode dn = diskNode(model, c.getDnName());
        if (!model.physicalDisksOf(dn.getDnName()).isEmpty()) {
            throw new Rejection(RejectReason.IN_USE, "disk node '" + dn.getDnName() + "' still has physical disks "
                    + String.join(", ", model.physicalDisksOf(dn.getDnName())) + "; delete them first");
        }
        ctx.emit(new DiskNodeDeleted(ctx.metadata(), dn));
        return "disk node '" + dn.getDnName() + "' deleted";
    }

    private static String modifyDiskNode(ClusterModel model, ModifyDiskNode c, Context ctx) {
        ctx.resource(ResourceKind.DISK_NODE, c.getDnName());
        DiskNode dn = diskNode(model, c.getDnName());
        DiskNode.Builder next = DiskNode.newBuilder(dn);
        if (c.getDescription() != null) {
            next.setDescription(c.getDescription());
        }
        if (c.getIsOffline() != null) {
            next.setIsOffline(c.getIsOffline());
        }
        DiskNode modified = next.build();
        ctx.emit(new DiskNodeModified(ctx.metadata(), modified));
        return "disk node '" + dn.getDnName() + "' modified" + (modified.getIsOffline() ? " (offline)" : "");
    }

    // ------------------------------------------------------------------ physical disks

    private static String createPhysicalDisk(ClusterModel model, CreatePhysicalDisk c, Context ctx) {
        String name = RecordKeys.physicalDiskName(c.getDnName(), c.getPdName());
        ctx.resource(ResourceKind.PHYSICAL_DISK, name);
        validName("disk node", c.getDnName());
        validName("physical disk", c.getPdName());
        diskNode(model, c.getDnName());
        if (model.physicalDisk(c.getDnName(), c.getPdName()).isPresent()) {
            throw new Rejection(RejectReason.ALREADY_EXISTS, "physical disk '" + name + "' already exists");
        }
        PhysicalDiskBacking backing = c.getBacking();
        validBacking(name, backing);
        long usable = LvstoreGeometry.usableBytes(backing.getSizeBytes());
        if (usable <= 0) {
            throw new Rejection(RejectReason.INVALID, "physical disk '" + name + "' of "
                    + Sizes.human(backing.getSizeBytes()) + " is too small: an lvstore needs at least "
                    + Sizes.human(2 * LvstoreGeometry.CLUSTER_BYTES) + " (one metadata and one data cluster of "
                    + Sizes.human(LvstoreGeometry.CLUSTER_BYTES) + ")");
        }
        PhysicalDisk pd = PhysicalDisk.newBuilder().setDnName(c.getDnName()).setPdName(c.getPdName())
                .setDescription(c.getDescription()).setBacking(backing).setUsableBytes(usable)
                .setIsOffline(c.getIsOffline()).build();
        ctx.emit(new PhysicalDiskCreated(ctx.metadata(), pd));
        return "physical disk '" + name + "' created with " + Sizes.human(usable) + " usable";
    }

    private static String deletePhysicalDisk(ClusterModel model, DeletePhysicalDisk c, Context ctx) {
        String name = RecordKeys.physicalDiskName(c.getDnName(), c.getPdName());
        ctx.resource(ResourceKind.PHYSICAL_DISK, name);
        PhysicalDisk pd = physicalDisk(model, c.getDnName(), c.getPdName());
        Collection<String> arrays = model.arraysOnPhysicalDisk(c.getDnName(), c.getPdName());
        if (!arrays.isEmpty()) {
            throw new Rejection(RejectReason.IN_USE, "physical disk '" + name + "' hosts virtual disks of disk "
                    + "array" + (arrays.size() > 1 ? "s " : " ") + quoted(arrays) + " ("
                    + Sizes.human(model.allocatedBytes(c.getDnName(), c.getPdName()))
                    + "); delete " + (arrays.size() > 1 ? "them" : "it") + " first");
        }
        ctx.emit(new PhysicalDiskDeleted(ctx.metadata(), pd));
        return "physical disk '" + name + "' deleted";
    }

    private static String modifyPhysicalDisk(ClusterModel model, ModifyPhysicalDisk c, Context ctx) {
        String name = RecordKeys.physicalDiskName(c.getDnName(), c.getPdName());
        ctx.resource(ResourceKind.PHYSICAL_DISK, name);
        PhysicalDisk pd = physicalDisk(model, c.getDnName(), c.getPdName());
        PhysicalDisk.Builder next = PhysicalDisk.newBuilder(pd);
        if (c.getDescription() != null) {
            next.setDescription(c.getDescription());
        }
        if (c.getIsOffline() != null) {
            next.setIsOffline(c.getIsOffline());
        }
        PhysicalDisk modified = next.build();
        ctx.emit(new PhysicalDiskModified(ctx.metadata(), modified));
        return "physical disk '" + name + "' modified" + (modified.getIsOffline() ? " (offline)" : "");
    }

    // ------------------------------------------------------------------ controller nodes

    private static String createControllerNode(ClusterModel model, CreateControllerNode c, Context ctx) {
        ctx.resource(ResourceKind.CONTROLLER_NODE, c.getCnName());
        validName("controller node", c.getCnName());
        validListener("controller node '" + c.getCnName() + "'", c.getNvmfListener());
        nodeNameFree(model, c.getCnName());
        ControllerNode cn = ControllerNode.newBuilder().setCnName(c.getCnName()).setDescription(c.getDescription())
                .setLocation(c.getLocation()).setNvmfListener(c.getNvmfListener())
                .setHostNqn(NvmeNames.controllerHostNqn(c.getCnName())).setIsOffline(c.getIsOffline()).build();
        ctx.emit(new ControllerNodeCreated(ctx.metadata(), cn));
        return "controller node '" + cn.getCnName() + "' created" + locationText(cn.getLocation());
    }

    private static String deleteControllerNode(ClusterModel model, DeleteControllerNode c, Context ctx) {
        ctx.resource(ResourceKind.CONTROLLER_NODE, c.getCnName());
        ControllerNode cn = controllerNode(model, c.getCnName());
        Collection<String> arrays = model.arraysOnControllerNode(cn.getCnName());
        if (!arrays.isEmpty()) {
            throw new Rejection(RejectReason.IN_USE, "controller node '" + cn.getCnName() + "' hosts controllers of"
                    + " disk array" + (arrays.size() > 1 ? "s " : " ") + quoted(arrays) + "; delete "
                    + (arrays.size() > 1 ? "them" : "it") + " first");
        }
        ctx.emit(new ControllerNodeDeleted(ctx.metadata(), cn));
        return "controller node '" + cn.getCnName() + "' deleted";
    }

    private static String modifyControllerNode(ClusterModel model, ModifyControllerNode c, Context ctx) {
        ctx.resource(ResourceKind.CONTROLLER_NODE, c.getCnName());
        ControllerNode cn = controllerNode(model, c.getCnName());
        ControllerNode.Builder next = ControllerNode.newBuilder(cn);
        if (c.getDescription() != null) {
            next.setDescription(c.getDescription());
        }
        if (c.getIsOffline() != null) {
            next.setIsOffline(c.getIsOffline());
        }
        ControllerNode modified = next.build();
        ctx.emit(new ControllerNodeModified(ctx.metadata(), modified));
        return "controller node '" + cn.getCnName() + "' modified" + (modified.getIsOffline() ? " (offline)" : "");
    }

    // ------------------------------------------------------------------ disk arrays

    private static String createDiskArray(ClusterModel model, CreateDiskArray c, Context ctx) {
        String da = c.getDaName();
        ctx.resource(ResourceKind.DISK_ARRAY, da);
        validName("disk array", da);
        if (model.diskArray(da).isPresent()) {
            throw new Rejection(RejectReason.ALREADY_EXISTS, "disk array '" + da + "' already exists");
        }
        if (c.getSizeBytes() <= 0) {
            throw new Rejection(RejectReason.INVALID, "disk array '" + da + "': size must be positive");
        }
        if (c.getStripCnt() < 1 || c.getStripCnt() > MAX_STRIP_COUNT) {
            throw new Rejection(RejectReason.INVALID, "disk array '" + da + "': stripCnt must be 1 to "
                    + MAX_STRIP_COUNT + ", not " + c.getStripCnt());
        }
        if (c.getCntlrCnt() < 1 || c.getCntlrCnt() > MAX_CONTROLLER_COUNT) {
            throw new Rejection(RejectReason.INVALID, "disk array '" + da + "': cntlrCnt must be 1 to "
                    + MAX_CONTROLLER_COUNT + ", not " + c.getCntlrCnt());
        }
        int strip = c.getStripSizeKb();
        if (strip < MIN_STRIP_SIZE_KB || strip > MAX_STRIP_SIZE_KB || Integer.bitCount(strip) != 1) {
            throw new Rejection(RejectReason.INVALID, "disk array '" + da + "': stripSizeKb must be a power of two"
                    + " from " + MIN_STRIP_SIZE_KB + " to " + MAX_STRIP_SIZE_KB + ", not " + strip);
        }
        validQos("disk array '" + da + "'", c.getQos());

        long vdBytes = LvstoreGeometry.virtualDiskBytes(c.getSizeBytes(), c.getStripCnt(), strip);
        List<PlacementIndex.Choice> disks = model.placementIndex().choose(c.getStripCnt(), vdBytes);
        if (disks.size() < c.getStripCnt()) {
            throw new Rejection(RejectReason.INSUFFICIENT_CAPACITY, "disk array '" + da + "' needs "
                    + count(c.getStripCnt(), "virtual disk") + " of " + Sizes.human(vdBytes) + "; only "
                    + (disks.isEmpty() ? "no" : Integer.toString(disks.size()))
                    + " physical disk" + (disks.size() == 1 ? "" : "s") + " on distinct disk nodes "
                    + (disks.size() == 1 ? "has " : "have ") + Sizes.human(vdBytes) + " free"
                    + " (offline, failed and full disk nodes are not used); add physical disks, free space or use"
                    + " a smaller size or fewer virtual disks");
        }
        List<String> cns = model.controllerIndex().choose(c.getCntlrCnt());
        if (cns.size() < c.getCntlrCnt()) {
            throw new Rejection(RejectReason.INSUFFICIENT_CONTROLLERS, "disk array '" + da + "' needs "
                    + count(c.getCntlrCnt(), "controller node") + "; only " + cns.size()
                    + " controller node" + (cns.size() == 1 ? " is" : "s are") + " online, healthy and below "
                    + model.settings().maxSubsystemsPerControllerNode() + " subsystems");
        }
        QosLimits vdQos = splitQos(c.getQos(), c.getStripCnt());
        List<VirtualDiskPlacement> vds = new ArrayList<>();
        for (int i = 0; i < disks.size(); i++) {
            PlacementIndex.Choice d = disks.get(i);
            vds.add(new VirtualDiskPlacement(i, d.dnName(), d.pdName(), vdBytes, vdQos));
        }
        List<ControllerPlacement> controllers = new ArrayList<>();
        for (int i = 0; i < cns.size(); i++) {
            controllers.add(new ControllerPlacement(cns.get(i), i == 0 ? ControllerRole.PRIMARY
                    : ControllerRole.SECONDARY));
        }
        DiskArray array = DiskArray.newBuilder().setDaName(da).setDescription(c.getDescription())
                .setSizeBytes(c.getSizeBytes()).setPhysicalSizeBytes(vdBytes * c.getStripCnt())
                .setCntlrCnt(c.getCntlrCnt()).setStripCnt(c.getStripCnt()).setStripSizeKb(strip)
                .setQos(c.getQos()).setVirtualDisks(vds).setControllers(controllers).setEpoch(1)
                .setLvstoreInitialized(false).setLvstoreUuid(null).build();
        ctx.emit(new DiskArrayCreated(ctx.metadata(), array));
        return "disk array '" + da + "' created: " + count(vds.size(), "virtual disk") + " of "
                + Sizes.human(vdBytes) + " on "
                + disks.stream().map(d -> RecordKeys.physicalDiskName(d.dnName(), d.pdName()))
                        .collect(Collectors.joining(", "))
                + "; primary controller " + cns.get(0)
                + (cns.size() > 1 ? ", secondaries " + String.join(", ", cns.subList(1, cns.size())) : "");
    }

    private static String deleteDiskArray(ClusterModel model, DeleteDiskArray c, Context ctx) {
        ctx.resource(ResourceKind.DISK_ARRAY, c.getDaName());
        DiskArray da = diskArray(model, c.getDaName());
        List<Exporter> exporters = model.exportersOf(da.getDaName());
        if (!exporters.isEmpty()) {
            throw new Rejection(RejectReason.IN_USE, "disk array '" + da.getDaName() + "' still has exporter"
                    + (exporters.size() > 1 ? "s " : " ")
                    + quoted(exporters.stream().map(Exporter::getExpName).toList()) + "; delete "
                    + (exporters.size() > 1 ? "them" : "it") + " first");
        }
        ctx.emit(new DiskArrayDeleted(ctx.metadata(), da));
        return "disk array '" + da.getDaName() + "' deleted; " + Sizes.human(da.getPhysicalSizeBytes()) + " freed";
    }

    private static String modifyDiskArray(ClusterModel model, ModifyDiskArray c, Context ctx) {
        ctx.resource(ResourceKind.DISK_ARRAY, c.getDaName());
        DiskArray da = diskArray(model, c.getDaName());
        DiskArray.Builder next = DiskArray.newBuilder(da);
        if (c.getDescription() != null) {
            next.setDescription(c.getDescription());
        }
        if (c.getQos() != null) {
            validQos("disk array '" + da.getDaName() + "'", c.getQos());
            QosLimits vdQos = splitQos(c.getQos(), da.getStripCnt());
            next.setQos(c.getQos());
            next.setVirtualDisks(da.getVirtualDisks().stream()
                    .map(vd -> VirtualDiskPlacement.newBuilder(vd).setQos(vdQos).build()).toList());
        }
        ctx.emit(new DiskArrayModified(ctx.metadata(), next.build()));
        return "disk array '" + da.getDaName() + "' modified";
    }

    // ------------------------------------------------------------------ exporters

    private static String createExporter(ClusterModel model, CreateExporter c, Context ctx) {
        String name = RecordKeys.exporterName(c.getDaName(), c.getExpName());
        ctx.resource(ResourceKind.EXPORTER, name);
        validName("disk array", c.getDaName());
        validName("exporter", c.getExpName());
        diskArray(model, c.getDaName());
        if (model.exporter(c.getDaName(), c.getExpName()).isPresent()) {
            throw new Rejection(RejectReason.ALREADY_EXISTS, "exporter '" + name + "' already exists");
        }
        validHostNqns(name, c.getHostNqns());
        DiskArray da = model.diskArray(c.getDaName()).orElseThrow();
        for (ControllerPlacement cp : da.getControllers()) {
            if (!model.controllerNodeHasSubsystemRoom(cp.getCnName())) {
                throw new Rejection(RejectReason.INSUFFICIENT_CAPACITY, "exporter '" + name + "' needs a subsystem on"
                        + " controller node '" + cp.getCnName() + "', which already holds "
                        + model.controllerSubsystemCount(cp.getCnName()) + " (its target's limit is "
                        + model.settings().maxSubsystemsPerControllerNode() + ")");
            }
        }
        Exporter exp = Exporter.newBuilder().setDaName(c.getDaName()).setExpName(c.getExpName())
                .setDescription(c.getDescription()).setHostNqns(List.copyOf(c.getHostNqns()))
                .setTargetNqn(NvmeNames.exporterNqn(c.getDaName(), c.getExpName()))
                .setSerialNumber(NvmeNames.exporterSerialNumber(c.getDaName(), c.getExpName()))
                .setModelNumber(NvmeNames.MODEL_NUMBER)
                .setNamespaceUuid(NvmeNames.exporterNamespaceUuid(c.getDaName(), c.getExpName())).build();
        ctx.emit(new ExporterCreated(ctx.metadata(), exp));
        return "exporter '" + name + "' created: target " + exp.getTargetNqn();
    }

    private static String deleteExporter(ClusterModel model, DeleteExporter c, Context ctx) {
        String name = RecordKeys.exporterName(c.getDaName(), c.getExpName());
        ctx.resource(ResourceKind.EXPORTER, name);
        Exporter exp = exporter(model, c.getDaName(), c.getExpName());
        ctx.emit(new ExporterDeleted(ctx.metadata(), exp));
        return "exporter '" + name + "' deleted";
    }

    private static String modifyExporter(ClusterModel model, ModifyExporter c, Context ctx) {
        String name = RecordKeys.exporterName(c.getDaName(), c.getExpName());
        ctx.resource(ResourceKind.EXPORTER, name);
        Exporter exp = exporter(model, c.getDaName(), c.getExpName());
        Exporter.Builder next = Exporter.newBuilder(exp);
        if (c.getDescription() != null) {
            next.setDescription(c.getDescription());
        }
        if (c.getHostNqns() != null) {
            validHostNqns(name, c.getHostNqns());
            next.setHostNqns(List.copyOf(c.getHostNqns()));
        }
        ctx.emit(new ExporterModified(ctx.metadata(), next.build()));
        return "exporter '" + name + "' modified";
    }

    // ------------------------------------------------------------------ health and failover (reconciler, agents)

    private static String markNodeFailed(ClusterModel model, MarkNodeFailed c, Context ctx) {
        NodeKind kind = nodeKind(model, c.getNodeName(), c.getNodeKind(), ctx);
        if (model.isFailed(c.getNodeName())) {
            return nodeWord(kind) + " '" + c.getNodeName() + "' is already marked failed; nothing changed";
        }
        List<String> affected = List.copyOf(kind == NodeKind.DISK_NODE
                ? model.arraysOnDiskNode(c.getNodeName()) : model.arraysOnControllerNode(c.getNodeName()));
        ctx.emit(new NodeFailed(ctx.metadata(), c.getNodeName(), kind, c.getLastHeartbeatAt(), affected));
        return nodeWord(kind) + " '" + c.getNodeName() + "' marked failed; no new placements on it"
                + (affected.isEmpty() ? "" : "; affects disk arrays " + quoted(affected));
    }

    private static String markNodeRecovered(ClusterModel model, MarkNodeRecovered c, Context ctx) {
        NodeKind kind = nodeKind(model, c.getNodeName(), c.getNodeKind(), ctx);
        if (!model.isFailed(c.getNodeName())) {
            return nodeWord(kind) + " '" + c.getNodeName() + "' is not marked failed; nothing changed";
        }
        ctx.emit(new NodeRecovered(ctx.metadata(), c.getNodeName(), kind));
        return nodeWord(kind) + " '" + c.getNodeName() + "' recovered"
                + (kind == NodeKind.CONTROLLER_NODE ? "; its controllers stay secondaries" : "");
    }

    private static String failoverController(ClusterModel model, FailoverController c, Context ctx) {
        ctx.resource(ResourceKind.DISK_ARRAY, c.getDaName());
        DiskArray da = diskArray(model, c.getDaName());
        String primary = primaryOf(da);
        if (c.getEpoch() != da.getEpoch() || !c.getFailedCnName().equals(primary)) {
            throw new Rejection(RejectReason.STALE, "failover of disk array '" + da.getDaName() + "' from '"
                    + c.getFailedCnName() + "' at epoch " + c.getEpoch() + " is stale: the array is at epoch "
                    + da.getEpoch() + " with primary '" + primary + "'");
        }
        Optional<String> promoted = da.getControllers().stream()
                .filter(cp -> cp.getRole() == ControllerRole.SECONDARY)
                .map(ControllerPlacement::getCnName)
                .filter(cn -> model.controllerIndex().contains(cn))
                .min(Comparator.comparingInt(model::controllerLoad).thenComparing(Comparator.naturalOrder()));
        if (promoted.isEmpty()) {
            throw new Rejection(RejectReason.INSUFFICIENT_CONTROLLERS, "disk array '" + da.getDaName()
                    + "' has no online, healthy secondary controller to promote in place of '" + primary + "'");
        }
        String newPrimary = promoted.get();
        List<ControllerPlacement> controllers = new ArrayList<>();
        controllers.add(new ControllerPlacement(newPrimary, ControllerRole.PRIMARY));
        for (ControllerPlacement cp : da.getControllers()) {
            if (!cp.getCnName().equals(newPrimary)) {
                controllers.add(new ControllerPlacement(cp.getCnName(), ControllerRole.SECONDARY));
            }
        }
        DiskArray next = DiskArray.newBuilder(da).setControllers(controllers).setEpoch(da.getEpoch() + 1).build();
        ctx.emit(new ControllerFailedOver(ctx.metadata(), primary, newPrimary, next));
        return "disk array '" + da.getDaName() + "' failed over from '" + primary + "' to '" + newPrimary
                + "' at epoch " + next.getEpoch() + (c.getReason().isEmpty() ? "" : " (" + c.getReason() + ")");
    }

    private static String markDiskArrayInitialized(ClusterModel model, MarkDiskArrayInitialized c, Context ctx) {
        ctx.resource(ResourceKind.DISK_ARRAY, c.getDaName());
        DiskArray da = diskArray(model, c.getDaName());
        if (c.getLvstoreUuid() == null || c.getLvstoreUuid().isBlank()) {
            throw new Rejection(RejectReason.INVALID, "disk array '" + da.getDaName() + "': lvstoreUuid is required");
        }
        if (da.getLvstoreInitialized()) {
            if (c.getLvstoreUuid().equals(da.getLvstoreUuid())) {
                return "disk array '" + da.getDaName() + "' is already initialised; nothing changed";
            }
            throw new Rejection(RejectReason.CONFLICT, "disk array '" + da.getDaName() + "' was initialised with"
                    + " lvstore " + da.getLvstoreUuid() + ", not " + c.getLvstoreUuid());
        }
        String primary = primaryOf(da);
        if (c.getEpoch() != da.getEpoch() || !c.getCnName().equals(primary)) {
            throw new Rejection(RejectReason.STALE, "initialisation of disk array '" + da.getDaName() + "' by '"
                    + c.getCnName() + "' at epoch " + c.getEpoch() + " is stale: the array is at epoch "
                    + da.getEpoch() + " with primary '" + primary + "'");
        }
        DiskArray next = DiskArray.newBuilder(da).setLvstoreInitialized(true).setLvstoreUuid(c.getLvstoreUuid())
                .build();
        ctx.emit(new DiskArrayInitialized(ctx.metadata(), next));
        return "disk array '" + da.getDaName() + "' initialised (lvstore " + c.getLvstoreUuid() + ")";
    }

    /**
     * Drift repair: the node's whole desired state goes onto its topic again (see {@link DesiredState#ofNode}); the
     * agents are level-triggered and idempotent, so records equal to what they hold change nothing, and a lost one
     * comes back. The event names what the reconciler saw stuck and how many records were re-emitted (audit).
     */
    private static String redriveNode(ClusterModel model, RedriveNode c, Context ctx) {
        NodeKind kind = nodeKind(model, c.getNodeName(), c.getNodeKind(), ctx);
        int records = DesiredState.ofNode(model, c.getNodeName()).size();
        List<String> objectKeys = List.copyOf(c.getObjectKeys());
        ctx.emit(new NodeRedriven(ctx.metadata(), c.getNodeName(), kind, objectKeys, c.getReason(), records));
        return nodeWord(kind) + " '" + c.getNodeName() + "' re-driven: " + count(records, "desired-state record")
                + " re-emitted" + (objectKeys.isEmpty() ? "" : " (stuck: " + String.join(", ", objectKeys) + ")");
    }

    // ------------------------------------------------------------------ helpers

    public static String primaryOf(DiskArray da) {
        return da.getControllers().stream().filter(cp -> cp.getRole() == ControllerRole.PRIMARY)
                .map(ControllerPlacement::getCnName).findFirst().orElse("");
    }

    private static NodeKind nodeKind(ClusterModel model, String nodeName, NodeKind declared, Context ctx) {
        boolean dn = model.diskNode(nodeName).isPresent();
        boolean cn = model.controllerNode(nodeName).isPresent();
        NodeKind kind = declared == NodeKind.CONTROLLER_NODE || (declared == NodeKind.UNKNOWN && cn && !dn)
                ? NodeKind.CONTROLLER_NODE : NodeKind.DISK_NODE;
        ctx.resource(kind == NodeKind.DISK_NODE ? ResourceKind.DISK_NODE : ResourceKind.CONTROLLER_NODE, nodeName);
        if (kind == NodeKind.DISK_NODE ? !dn : !cn) {
            throw new Rejection(RejectReason.NOT_FOUND, nodeWord(kind) + " '" + nodeName + "' does not exist");
        }
        return kind;
    }

    private static String nodeWord(NodeKind kind) {
        return kind == NodeKind.CONTROLLER_NODE ? "controller node" : "disk node";
    }

    private static void nodeNameFree(ClusterModel model, String name) {
        if (model.diskNode(name).isPresent()) {
            throw new Rejection(RejectReason.ALREADY_EXISTS, "a disk node named '" + name + "' already exists"
                    + " (disk and controller nodes share one name space: each has its own desired-state topic)");
        }
        if (model.controllerNode(name).isPresent()) {
            throw new Rejection(RejectReason.ALREADY_EXISTS, "a controller node named '" + name + "' already"
                    + " exists (disk and controller nodes share one name space: each has its own desired-state topic)");
        }
    }

    private static DiskNode diskNode(ClusterModel model, String name) {
        return model.diskNode(name).orElseThrow(() -> new Rejection(RejectReason.NOT_FOUND,
                "disk node '" + name + "' does not exist"));
    }

    private static PhysicalDisk physicalDisk(ClusterModel model, String dn, String pd) {
        return model.physicalDisk(dn, pd).orElseThrow(() -> new Rejection(RejectReason.NOT_FOUND,
                "physical disk '" + RecordKeys.physicalDiskName(dn, pd) + "' does not exist"));
    }

    private static ControllerNode controllerNode(ClusterModel model, String name) {
        return model.controllerNode(name).orElseThrow(() -> new Rejection(RejectReason.NOT_FOUND,
                "controller node '" + name + "' does not exist"));
    }

    private static DiskArray diskArray(ClusterModel model, String name) {
        return model.diskArray(name).orElseThrow(() -> new Rejection(RejectReason.NOT_FOUND,
                "disk array '" + name + "' does not exist"));
    }

    private static Exporter exporter(ClusterModel model, String da, String exp) {
        return model.exporter(da, exp).orElseThrow(() -> new Rejection(RejectReason.NOT_FOUND,
                "exporter '" + RecordKeys.exporterName(da, exp) + "' does not exist"));
    }

    private static void validName(String what, String name) {
        ResourceNames.problem(name).ifPresent(p -> {
            throw new Rejection(RejectReason.INVALID, what + " name " + p);
        });
    }

    private static void validListener(String what, NvmfListener listener) {
        if (listener == null || listener.getTrAddr() == null || listener.getTrAddr().isBlank()
                || listener.getTrSvcId() == null || listener.getTrSvcId().isBlank()) {
            throw new Rejection(RejectReason.INVALID, what + ": nvmfListener needs trAddr and trSvcId");
        }
    }

    private static void validBacking(String name, PhysicalDiskBacking backing) {
        if (backing == null || backing.getType() == BdevType.UNKNOWN) {
            throw new Rejection(RejectReason.INVALID, "physical disk '" + name + "': backing type must be MALLOC,"
                    + " AIO or NVME");
        }
        if (backing.getType() == BdevType.AIO && (backing.getFileName() == null || backing.getFileName().isBlank())) {
            throw new Rejection(RejectReason.INVALID, "physical disk '" + name + "': an AIO disk needs fileName");
        }
        if (backing.getType() == BdevType.NVME && (backing.getTrAddr() == null || backing.getTrAddr().isBlank())) {
            throw new Rejection(RejectReason.INVALID, "physical disk '" + name + "': an NVME disk needs trAddr"
                    + " (its PCIe address)");
        }
    }

    private static void validQos(String what, QosLimits qos) {
        if (qos != null && (qos.getRwIosPerSec() < 0 || qos.getRwMbytesPerSec() < 0 || qos.getRMbytesPerSec() < 0
                || qos.getWMbytesPerSec() < 0)) {
            throw new Rejection(RejectReason.INVALID, what + ": QoS limits must be 0 (unlimited) or positive");
        }
    }

    private static void validHostNqns(String name, List<String> hostNqns) {
        for (String nqn : hostNqns) {
            Nqn.problem(nqn).ifPresent(p -> {
                throw new Rejection(RejectReason.INVALID, "exporter '" + name + "': host NQN '" + nqn + "': " + p);
            });
        }
    }

    /** raid0 spreads I/O evenly, so each virtual disk gets its share of the array's limits (0 stays unlimited). */
    static QosLimits splitQos(QosLimits qos, int stripCnt) {
        if (qos == null) {
            return new QosLimits(0L, 0L, 0L, 0L);
        }
        return new QosLimits(share(qos.getRwIosPerSec(), stripCnt), share(qos.getRwMbytesPerSec(), stripCnt),
                share(qos.getRMbytesPerSec(), stripCnt), share(qos.getWMbytesPerSec(), stripCnt));
    }

    private static long share(long limit, int parts) {
        return limit <= 0 ? 0 : LvstoreGeometry.ceilDiv(limit, parts);
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static String quoted(Collection<String> names) {
        return names.stream().map(n -> "'" + n + "'").collect(Collectors.joining(", "));
    }

    private static String locationText(String location) {
        return location == null || location.isEmpty() ? "" : " in location '" + location + "'";
    }

    /** A command the allocator refuses, with the reason code and the words for the user. */
    private static final class Rejection extends RuntimeException {
        final RejectReason reason;

        Rejection(RejectReason reason, String message) {
            super(message, null, false, false);
            this.reason = reason;
        }
    }

    /** The command being decided and the events it emits. */
    private static final class Context {
        final String commandId;
        final String commandType;
        final Instant now;
        ResourceKind kind = ResourceKind.UNKNOWN;
        String resourceName = "";
        final List<KeyedEvent> events = new ArrayList<>();

        Context(String commandId, String commandType, Instant now) {
            this.commandId = commandId;
            this.commandType = commandType;
            this.now = now;
        }

        void resource(ResourceKind kind, String name) {
            this.kind = kind;
            this.resourceName = name == null ? "" : name;
        }

        /** Event ids derive from the command id, so deciding a command again gives the same events. */
        EventMetadata metadata() {
            String eventId = UUID.nameUUIDFromBytes((commandId + "#" + events.size())
                    .getBytes(StandardCharsets.UTF_8)).toString();
            return new EventMetadata(eventId, kind, resourceName, commandId, now);
        }

        void emit(SpecificRecord event) {
            events.add(new KeyedEvent(RecordKeys.resource(kind, resourceName), event));
        }

        Decision succeed(String message) {
            return new Decision(outcome(CommandStatus.SUCCEEDED, null, message), events);
        }

        Decision reject(Rejection r) {
            events.clear();
            EventMetadata md = metadata();
            SpecificRecord event = switch (kind) {
                case PHYSICAL_DISK -> new PhysicalDiskRejected(md, commandType, r.reason, r.getMessage());
                case CONTROLLER_NODE -> new ControllerNodeRejected(md, commandType, r.reason, r.getMessage());
                case DISK_ARRAY -> new DiskArrayRejected(md, commandType, r.reason, r.getMessage());
                case EXPORTER -> new ExporterRejected(md, commandType, r.reason, r.getMessage());
                default -> new DiskNodeRejected(md, commandType, r.reason, r.getMessage());
            };
            emit(event);
            return new Decision(outcome(CommandStatus.REJECTED, r.reason, r.getMessage()), events);
        }

        private CommandOutcome outcome(CommandStatus status, RejectReason reason, String message) {
            return CommandOutcome.newBuilder().setCommandId(commandId).setCommandType(commandType)
                    .setStatus(status).setResourceKind(kind).setResourceName(resourceName).setReason(reason)
                    .setMessage(message).setDecidedAt(now).build();
        }
    }
}
