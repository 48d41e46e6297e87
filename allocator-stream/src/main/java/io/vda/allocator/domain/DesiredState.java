package io.vda.allocator.domain;

import io.vda.schema.RecordKeys;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.NodeKind;
import io.vda.schema.event.ControllerFailedOver;
import io.vda.schema.event.ControllerNodeCreated;
import io.vda.schema.event.ControllerNodeDeleted;
import io.vda.schema.event.ControllerNodeModified;
import io.vda.schema.event.DiskArrayCreated;
import io.vda.schema.event.DiskArrayDeleted;
import io.vda.schema.event.DiskArrayInitialized;
import io.vda.schema.event.DiskArrayModified;
import io.vda.schema.event.DiskNodeCreated;
import io.vda.schema.event.DiskNodeDeleted;
import io.vda.schema.event.DiskNodeModified;
import io.vda.schema.event.ExporterCreated;
import io.vda.schema.event.ExporterDeleted;
import io.vda.schema.event.ExporterModified;
import io.vda.schema.event.NodeRedriven;
import io.vda.schema.event.PhysicalDiskCreated;
import io.vda.schema.event.PhysicalDiskDeleted;
import io.vda.schema.event.PhysicalDiskModified;
import io.vda.schema.model.ControllerNode;
import io.vda.schema.model.ControllerPlacement;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.DiskNode;
import io.vda.schema.model.Exporter;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.model.VirtualDiskPlacement;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.state.ControllerEndpoint;
import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.ExporterSpec;
import io.vda.schema.state.NodeSpec;
import io.vda.schema.state.PhysicalDiskSpec;
import io.vda.schema.state.VirtualDiskEndpoint;
import io.vda.schema.state.VirtualDiskSpec;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;

/**
 * Per-node desired state: for an event already folded into the model, the whole specs of every object it touched,
 * each for the topic of the node that must hold it (tombstones for objects removed). Reading a node's topic from
 * the start therefore gives its whole desired state.
 */
public final class DesiredState {

    private DesiredState() {
    }

    public static List<NodeSpecChange> changes(ClusterModel model, SpecificRecord event) {
        List<NodeSpecChange> out = new ArrayList<>();
        if (event instanceof DiskNodeCreated e) {
            out.add(nodeSpec(e.getDiskNode()));
        } else if (event instanceof DiskNodeModified e) {
            out.add(nodeSpec(e.getDiskNode()));
        } else if (event instanceof DiskNodeDeleted e) {
            out.add(new NodeSpecChange(e.getDiskNode().getDnName(), RecordKeys.NODE_OBJECT, null));
        } else if (event instanceof PhysicalDiskCreated e) {
            out.add(physicalDiskSpec(e.getPhysicalDisk()));
        } else if (event instanceof PhysicalDiskModified e) {
            out.add(physicalDiskSpec(e.getPhysicalDisk()));
        } else if (event instanceof PhysicalDiskDeleted e) {
            PhysicalDisk pd = e.getPhysicalDisk();
            out.add(new NodeSpecChange(pd.getDnName(), RecordKeys.physicalDiskObject(pd.getPdName()), null));
        } else if (event instanceof ControllerNodeCreated e) {
            out.add(nodeSpec(e.getControllerNode()));
        } else if (event instanceof ControllerNodeModified e) {
            out.add(nodeSpec(e.getControllerNode()));
        } else if (event instanceof ControllerNodeDeleted e) {
            out.add(new NodeSpecChange(e.getControllerNode().getCnName(), RecordKeys.NODE_OBJECT, null));
        } else if (event instanceof DiskArrayCreated e) {
            virtualDisks(model, e.getDiskArray(), out);
            controllers(model, e.getDiskArray(), out);
        } else if (event instanceof DiskArrayModified e) {
            virtualDisks(model, e.getDiskArray(), out);
            controllers(model, e.getDiskArray(), out);
        } else if (event instanceof ControllerFailedOver e) {
            // the fence moves (every VD's allowed host), roles and epoch change on every controller node
            virtualDisks(model, e.getDiskArray(), out);
            controllers(model, e.getDiskArray(), out);
            for (Exporter exp : model.exportersOf(e.getDiskArray().getDaName())) {
                exporters(e.getDiskArray(), exp, out);
            }
        } else if (event instanceof DiskArrayInitialized e) {
            controllers(model, e.getDiskArray(), out);
        } else if (event instanceof DiskArrayDeleted e) {
            DiskArray da = e.getDiskArray();
            for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
                out.add(new NodeSpecChange(vd.getDnName(),
                        RecordKeys.virtualDiskObject(da.getDaName(), vd.getVdIndex()), null));
            }
            for (ControllerPlacement cp : da.getControllers()) {
                out.add(new NodeSpecChange(cp.getCnName(), RecordKeys.controllerObject(da.getDaName()), null));
            }
        } else if (event instanceof ExporterCreated e) {
            model.diskArray(e.getExporter().getDaName()).ifPresent(da -> exporters(da, e.getExporter(), out));
        } else if (event instanceof ExporterModified e) {
            model.diskArray(e.getExporter().getDaName()).ifPresent(da -> exporters(da, e.getExporter(), out));
        } else if (event instanceof NodeRedriven e) {
            out.addAll(ofNode(model, e.getNodeName()));
        } else if (event instanceof ExporterDeleted e) {
            Exporter exp = e.getExporter();
            model.diskArray(exp.getDaName()).ifPresent(da -> {
                for (ControllerPlacement cp : da.getControllers()) {
                    out.add(new NodeSpecChange(cp.getCnName(),
                            RecordKeys.exporterObject(exp.getDaName(), exp.getExpName()), null));
                }
            });
        }
        return out;
    }

    /**
     * The whole desired state of one node, from the model: what reading its topic from the start gives (every key
     * with its latest value, removed objects absent). Disk node: {@code node}, each {@code pd/…}, each {@code vd/…}
     * placed on it; controller node: {@code node}, {@code cntlr/<da>} and each {@code exp/<da>/…} of every array it
     * serves. Built by the same functions that emit the records on change, so the values are the same.
     */
    public static List<NodeSpecChange> ofNode(ClusterModel model, String nodeName) {
        List<NodeSpecChange> all = new ArrayList<>();
        model.diskNode(nodeName).ifPresent(dn -> {
            all.add(nodeSpec(dn));
            for (String pdName : model.physicalDisksOf(nodeName)) {
                model.physicalDisk(nodeName, pdName).ifPresent(pd -> all.add(physicalDiskSpec(pd)));
            }
            for (String daName : model.arraysOnDiskNode(nodeName)) {
                model.diskArray(daName).ifPresent(da -> virtualDisks(model, da, all));
            }
        });
        model.controllerNode(nodeName).ifPresent(cn -> {
            all.add(nodeSpec(cn));
            for (String daName : model.arraysOnControllerNode(nodeName)) {
                model.diskArray(daName).ifPresent(da -> {
                    controllers(model, da, all);
                    for (Exporter exp : model.exportersOf(daName)) {
                        exporters(da, exp, all);
                    }
                });
            }
        });
        return all.stream().filter(change -> change.nodeName().equals(nodeName)).toList();
    }

    private static NodeSpecChange nodeSpec(DiskNode dn) {
        NodeSpec spec = NodeSpec.newBuilder().setNodeName(dn.getDnName()).setNodeKind(NodeKind.DISK_NODE)
                .setNvmfListener(dn.getNvmfListener()).setHostNqn(null).setLocation(dn.getLocation()).build();
        return new NodeSpecChange(dn.getDnName(), RecordKeys.NODE_OBJECT, spec);
    }

    private static NodeSpecChange nodeSpec(ControllerNode cn) {
        NodeSpec spec = NodeSpec.newBuilder().setNodeName(cn.getCnName()).setNodeKind(NodeKind.CONTROLLER_NODE)
                .setNvmfListener(cn.getNvmfListener()).setHostNqn(cn.getHostNqn()).setLocation(cn.getLocation())
                .build();
        return new NodeSpecChange(cn.getCnName(), RecordKeys.NODE_OBJECT, spec);
    }

    private static NodeSpecChange physicalDiskSpec(PhysicalDisk pd) {
        PhysicalDiskSpec spec = new PhysicalDiskSpec(pd.getPdName(), pd.getBacking());
        return new NodeSpecChange(pd.getDnName(), RecordKeys.physicalDiskObject(pd.getPdName()), spec);
    }

    /** Each virtual disk, exported to exactly one host: the array's current primary (the fence). */
    private static void virtualDisks(ClusterModel model, DiskArray da, List<NodeSpecChange> out) {
        String primaryHostNqn = NvmeNames.controllerHostNqn(Allocator.primaryOf(da));
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            VirtualDiskSpec spec = VirtualDiskSpec.newBuilder().setDaName(da.getDaName()).setVdIndex(vd.getVdIndex())
                    .setPdName(vd.getPdName()).setSizeBytes(vd.getSizeBytes()).setQos(vd.getQos()).setThin(false)
                    .setSubsystemNqn(NvmeNames.virtualDiskNqn(da.getDaName(), vd.getVdIndex()))
                    .setAllowedHostNqn(primaryHostNqn).setEpoch(da.getEpoch()).build();
            out.add(new NodeSpecChange(vd.getDnName(), RecordKeys.virtualDiskObject(da.getDaName(), vd.getVdIndex()),
                    spec));
        }
    }

    private static void controllers(ClusterModel model, DiskArray da, List<NodeSpecChange> out) {
        List<VirtualDiskEndpoint> endpoints = new ArrayList<>();
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            DiskNode dn = model.diskNode(vd.getDnName()).orElseThrow();
            endpoints.add(new VirtualDiskEndpoint(vd.getVdIndex(), vd.getDnName(), dn.getNvmfListener(),
                    NvmeNames.virtualDiskNqn(da.getDaName(), vd.getVdIndex()), vd.getSizeBytes()));
        }
        ControllerEndpoint primary = null;
        List<ControllerEndpoint> secondaries = new ArrayList<>();
        for (ControllerPlacement cp : da.getControllers()) {
            ControllerEndpoint endpoint = endpoint(model, cp.getCnName());
            if (cp.getRole() == ControllerRole.PRIMARY) {
                primary = endpoint;
            } else {
                secondaries.add(endpoint);
            }
        }
        for (ControllerPlacement cp : da.getControllers()) {
            ControllerSpec spec = ControllerSpec.newBuilder().setDaName(da.getDaName()).setRole(cp.getRole())
                    .setEpoch(da.getEpoch()).setHostNqn(NvmeNames.controllerHostNqn(cp.getCnName()))
                    .setSizeBytes(da.getSizeBytes()).setStripSizeKb(da.getStripSizeKb()).setQos(da.getQos())
                    .setLvstoreInitialized(da.getLvstoreInitialized()).setLvstoreUuid(da.getLvstoreUuid())
                    .setVirtualDisks(endpoints).setPrimary(primary).setSecondaries(secondaries)
                    .setSecondarySubsystemNqn(NvmeNames.secondaryExportNqn(da.getDaName())).build();
            out.add(new NodeSpecChange(cp.getCnName(), RecordKeys.controllerObject(da.getDaName()), spec));
        }
    }

    private static ControllerEndpoint endpoint(ClusterModel model, String cnName) {
        ControllerNode cn = model.controllerNode(cnName).orElseThrow();
        return new ControllerEndpoint(cnName, cn.getNvmfListener(), cn.getHostNqn());
    }

    /** The exporter on every controller of its array, same NQN, serial and namespace UUID on each (multipath). */
    private static void exporters(DiskArray da, Exporter exp, List<NodeSpecChange> out) {
        for (ControllerPlacement cp : da.getControllers()) {
            ExporterSpec spec = ExporterSpec.newBuilder().setDaName(exp.getDaName()).setExpName(exp.getExpName())
                    .setRole(cp.getRole()).setEpoch(da.getEpoch()).setTargetNqn(exp.getTargetNqn())
                    .setSerialNumber(exp.getSerialNumber()).setModelNumber(exp.getModelNumber())
                    .setNamespaceUuid(exp.getNamespaceUuid()).setHostNqns(exp.getHostNqns()).build();
            out.add(new NodeSpecChange(cp.getCnName(), RecordKeys.exporterObject(exp.getDaName(), exp.getExpName()),
                    spec));
        }
    }
}
