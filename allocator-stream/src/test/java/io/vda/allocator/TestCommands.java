package io.vda.allocator;

import io.vda.schema.command.CreateControllerNode;
import io.vda.schema.command.CreateDiskArray;
import io.vda.schema.command.CreateDiskNode;
import io.vda.schema.command.CreateExporter;
import io.vda.schema.command.CreatePhysicalDisk;
import io.vda.schema.command.DeleteControllerNode;
import io.vda.schema.command.DeleteDiskArray;
import io.vda.schema.command.DeleteDiskNode;
import io.vda.schema.command.DeletePhysicalDisk;
import io.vda.schema.command.FailoverController;
import io.vda.schema.command.MarkDiskArrayInitialized;
import io.vda.schema.command.MarkNodeFailed;
import io.vda.schema.command.MarkNodeRecovered;
import io.vda.schema.command.RedriveNode;
import io.vda.schema.command.ModifyDiskNode;
import io.vda.schema.command.ModifyPhysicalDisk;
import io.vda.schema.common.BdevType;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.QosLimits;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.RecordKeys;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.avro.specific.SpecificRecord;

/** Commands for tests, with fresh command ids and sensible defaults. */
public final class TestCommands {

    public static final long MIB = 1024L * 1024L;
    public static final long GIB = 1024L * MIB;
    public static final Instant T0 = Instant.parse("2026-11-25T12:00:00Z");
    private static final AtomicInteger PORT = new AtomicInteger(4420);

    private TestCommands() {
    }

    public static String id() {
        return UUID.randomUUID().toString();
    }

    private static NvmfListener listener() {
        return new NvmfListener("tcp", "ipv4", "127.0.0.1", Integer.toString(PORT.getAndIncrement()));
    }

    public static CreateDiskNode createDiskNode(String dn, String location) {
        return CreateDiskNode.newBuilder().setCommandId(id()).setIssuedAt(T0).setDnName(dn).setLocation(location)
                .setNvmfListener(listener()).build();
    }

    public static CreatePhysicalDisk createPhysicalDisk(String dn, String pd, long bytes) {
        return CreatePhysicalDisk.newBuilder().setCommandId(id()).setIssuedAt(T0).setDnName(dn).setPdName(pd)
                .setBacking(new PhysicalDiskBacking(BdevType.MALLOC, bytes, null, null)).build();
    }

    public static CreateControllerNode createControllerNode(String cn, String location) {
        return CreateControllerNode.newBuilder().setCommandId(id()).setIssuedAt(T0).setCnName(cn)
                .setLocation(location).setNvmfListener(listener()).build();
    }

    public static CreateDiskArray createDiskArray(String da, long bytes, int stripCnt, int cntlrCnt) {
        return CreateDiskArray.newBuilder().setCommandId(id()).setIssuedAt(T0).setDaName(da).setSizeBytes(bytes)
                .setStripCnt(stripCnt).setCntlrCnt(cntlrCnt).setStripSizeKb(64)
                .setQos(new QosLimits(0L, 0L, 0L, 0L)).build();
    }

    public static DeleteDiskArray deleteDiskArray(String da) {
        return new DeleteDiskArray(id(), T0, da);
    }

    public static DeletePhysicalDisk deletePhysicalDisk(String dn, String pd) {
        return new DeletePhysicalDisk(id(), T0, dn, pd);
    }

    public static DeleteDiskNode deleteDiskNode(String dn) {
        return new DeleteDiskNode(id(), T0, dn);
    }

    public static DeleteControllerNode deleteControllerNode(String cn) {
        return new DeleteControllerNode(id(), T0, cn);
    }

    public static ModifyDiskNode setDiskNodeOffline(String dn, boolean offline) {
        return new ModifyDiskNode(id(), T0, dn, null, offline);
    }

    public static ModifyPhysicalDisk setPhysicalDiskOffline(String dn, String pd, boolean offline) {
        return new ModifyPhysicalDisk(id(), T0, dn, pd, null, offline);
    }

    public static CreateExporter createExporter(String da, String exp, String hostNqn) {
        return CreateExporter.newBuilder().setCommandId(id()).setIssuedAt(T0).setDaName(da).setExpName(exp)
                .setHostNqns(List.of(hostNqn)).build();
    }

    public static MarkNodeFailed markNodeFailed(String node, NodeKind kind) {
        return new MarkNodeFailed(id(), T0, node, kind, T0);
    }

    public static MarkNodeRecovered markNodeRecovered(String node, NodeKind kind) {
        return new MarkNodeRecovered(id(), T0, node, kind);
    }

    public static FailoverController failover(String da, String failedCn, long epoch) {
        return new FailoverController(id(), T0, da, failedCn, epoch, "heartbeat lost");
    }

    public static MarkDiskArrayInitialized markInitialized(String da, String cn, long epoch, String uuid) {
        return new MarkDiskArrayInitialized(id(), T0, da, cn, epoch, uuid);
    }

    public static MarkDiskArrayInitialized markDiskArrayInitializedBy(io.vda.schema.model.DiskArray da, String cn) {
        return markInitialized(da.getDaName(), cn, da.getEpoch(), "lvs-" + da.getDaName());
    }

    public static RedriveNode redrive(String node, NodeKind kind, String... objectKeys) {
        return new RedriveNode(id(), T0, node, kind, List.of(objectKeys), "stuck past the drift bound");
    }

    /** The commands topic's record key for a command. */
    public static String keyOf(SpecificRecord command) {
        if (command instanceof CreateDiskNode c) {
            return RecordKeys.resource(ResourceKind.DISK_NODE, c.getDnName());
        } else if (command instanceof CreatePhysicalDisk c) {
            return RecordKeys.resource(ResourceKind.PHYSICAL_DISK, RecordKeys.physicalDiskName(c.getDnName(),
                    c.getPdName()));
        } else if (command instanceof CreateControllerNode c) {
            return RecordKeys.resource(ResourceKind.CONTROLLER_NODE, c.getCnName());
        } else if (command instanceof CreateDiskArray c) {
            return RecordKeys.resource(ResourceKind.DISK_ARRAY, c.getDaName());
        } else if (command instanceof DeleteDiskArray c) {
            return RecordKeys.resource(ResourceKind.DISK_ARRAY, c.getDaName());
        }
        return "command/" + command.getSchema().getName();
    }
}
