package io.vda.allocator.domain;

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
import io.vda.schema.event.NodeFailed;
import io.vda.schema.event.NodeRecovered;
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
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.avro.specific.SpecificRecord;

/**
 * The cluster as the allocator decided it, and {@link #evolve} to fold an event into it. The entities (model records
 * from the schemas) are the truth and are what the state store keeps; everything else here (bytes allocated per
 * disk, who hosts what, the placement and controller indexes) is derived from them and rebuilt by
 * {@link #restore}. Records held here are never mutated: every change replaces the record.
 *
 * <p>Each change to an entity is recorded as a {@link ModelChange} (store key, record or null) for the shell to
 * write to its store; {@link #drainChanges} hands them over.
 */
public final class ClusterModel {

    private final AllocatorSettings settings;

    private final Map<String, DiskNode> diskNodes = new TreeMap<>();
    private final Map<String, PhysicalDisk> physicalDisks = new HashMap<>();
    private final Map<String, SortedSet<String>> disksOfNode = new HashMap<>();
    private final Map<String, ControllerNode> controllerNodes = new TreeMap<>();
    private final Map<String, DiskArray> diskArrays = new TreeMap<>();
    private final Map<String, Exporter> exporters = new HashMap<>();
    private final Map<String, SortedSet<String>> exportersOfArray = new HashMap<>();
    private final Map<String, NodeFailed> failedNodes = new TreeMap<>();

    private final Map<String, Long> allocatedByDisk = new HashMap<>();
    private final Map<String, SortedSet<String>> arraysOnDisk = new HashMap<>();
    private final Map<String, SortedSet<String>> arraysOnDiskNode = new HashMap<>();
    private final Map<String, SortedSet<String>> arraysOnControllerNode = new HashMap<>();
    private final Map<String, Integer> subsystemsOnControllerNode = new HashMap<>();

    private final java.util.Set<String> eligibleDiskNodes = new java.util.HashSet<>();
    private final PlacementIndex placement = new PlacementIndex();
    private final ControllerIndex controllers = new ControllerIndex();

    private final Map<String, ModelChange> changes = new LinkedHashMap<>();

    public ClusterModel(AllocatorSettings settings) {
        this.settings = settings;
    }

    public AllocatorSettings settings() {
        return settings;
    }

    // ---------------------------------------------------------------- queries

    public Optional<DiskNode> diskNode(String dnName) {
        return Optional.ofNullable(diskNodes.get(dnName));
    }

    public Optional<PhysicalDisk> physicalDisk(String dnName, String pdName) {
        return Optional.ofNullable(physicalDisks.get(diskKey(dnName, pdName)));
    }

    public SortedSet<String> physicalDisksOf(String dnName) {
        return Collections.unmodifiableSortedSet(disksOfNode.getOrDefault(dnName, new TreeSet<>()));
    }

    public Collection<PhysicalDisk> physicalDisks() {
        return Collections.unmodifiableCollection(physicalDisks.values());
    }

    public Optional<ControllerNode> controllerNode(String cnName) {
        return Optional.ofNullable(controllerNodes.get(cnName));
    }

    public Collection<DiskNode> diskNodes() {
        return Collections.unmodifiableCollection(diskNodes.values());
    }

    public Collection<ControllerNode> controllerNodes() {
        return Collections.unmodifiableCollection(controllerNodes.values());
    }

    public Optional<DiskArray> diskArray(String daName) {
        return Optional.ofNullable(diskArrays.get(daName));
    }

    public Collection<DiskArray> diskArrays() {
        return Collections.unmodifiableCollection(diskArrays.values());
    }

    public Optional<Exporter> exporter(String daName, String expName) {
        return Optional.ofNullable(exporters.get(exporterKey(daName, expName)));
    }

    /** Exporters of a disk array, by name. */
    public java.util.List<Exporter> exportersOf(String daName) {
        return exportersOfArray.getOrDefault(daName, new TreeSet<>()).stream()
                .map(exp -> exporters.get(exporterKey(daName, exp))).toList();
    }

    public boolean isFailed(String nodeName) {
        return failedNodes.containsKey(nodeName);
    }

    public long allocatedBytes(String dnName, String pdName) {
        return allocatedByDisk.getOrDefault(diskKey(dnName, pdName), 0L);
    }

    public long freeBytes(String dnName, String pdName) {
        PhysicalDisk pd = physicalDisks.get(diskKey(dnName, pdName));
        return pd == null ? 0 : pd.getUsableBytes() - allocatedBytes(dnName, pdName);
    }

    /** Disk arrays with a virtual disk on this physical disk. */
    public SortedSet<String> arraysOnPhysicalDisk(String dnName, String pdName) {
        return Collections.unmodifiableSortedSet(arraysOnDisk.getOrDefault(diskKey(dnName, pdName), new TreeSet<>()));
    }

    /** Disk arrays with a virtual disk on this disk node. */
    public SortedSet<String> arraysOnDiskNode(String dnName) {
        return Collections.unmodifiableSortedSet(arraysOnDiskNode.getOrDefault(dnName, new TreeSet<>()));
    }

    /** Disk arrays with a controller (primary or secondary) on this controller node. */
    public SortedSet<String> arraysOnControllerNode(String cnName) {
        return Collections.unmodifiableSortedSet(arraysOnControllerNode.getOrDefault(cnName, new TreeSet<>()));
    }

    public int controllerLoad(String cnName) {
        return arraysOnControllerNode(cnName).size();
    }

    /** NVMe-oF subsystems a controller node's target holds (see {@link AllocatorSettings}). */
    public int controllerSubsystemCount(String cnName) {
        return subsystemsOnControllerNode.getOrDefault(cnName, 0);
    }

    /** Whether a controller node may take one more subsystem. */
    public boolean controllerNodeHasSubsystemRoom(String cnName) {
        return controllerSubsystemCount(cnName) < settings.maxSubsystemsPerControllerNode();
    }

    public int virtualDiskCount(String dnName) {
        return arraysOnDiskNode(dnName).size();
    }

    public PlacementIndex placementIndex() {
        return placement;
    }

    public ControllerIndex controllerIndex() {
        return controllers;
    }

    /** Whether a new virtual disk may go on this disk node (online, healthy, below its export limit). */
    public boolean diskNodeAcceptsVirtualDisks(String dnName) {
        DiskNode dn = diskNodes.get(dnName);
        return dn != null && !dn.getIsOffline() && !isFailed(dnName)
                && virtualDiskCount(dnName) < settings.maxVirtualDisksPerDiskNode();
    }

    // ---------------------------------------------------------------- evolve

    /** Folds one event into the model. Events the allocator does not keep state for are ignored. */
    public void evolve(SpecificRecord event) {
        if (event instanceof DiskNodeCreated e) {
            putDiskNode(e.getDiskNode());
        } else if (event instanceof DiskNodeModified e) {
            putDiskNode(e.getDiskNode());
        } else if (event instanceof DiskNodeDeleted e) {
            removeDiskNode(e.getDiskNode().getDnName());
        } else if (event instanceof PhysicalDiskCreated e) {
            putPhysicalDisk(e.getPhysicalDisk());
        } else if (event instanceof PhysicalDiskModified e) {
            putPhysicalDisk(e.getPhysicalDisk());
        } else if (event instanceof PhysicalDiskDeleted e) {
            removePhysicalDisk(e.getPhysicalDisk().getDnName(), e.getPhysicalDisk().getPdName());
        } else if (event instanceof ControllerNodeCreated e) {
            putControllerNode(e.getControllerNode());
        } else if (event instanceof ControllerNodeModified e) {
            putControllerNode(e.getControllerNode());
        } else if (event instanceof ControllerNodeDeleted e) {
            removeControllerNode(e.getControllerNode().getCnName());
        } else if (event instanceof DiskArrayCreated e) {
            putDiskArray(e.getDiskArray());
        } else if (event instanceof DiskArrayModified e) {
            putDiskArray(e.getDiskArray());
        } else if (event instanceof ControllerFailedOver e) {
            putDiskArray(e.getDiskArray());
        } else if (event instanceof DiskArrayInitialized e) {
            putDiskArray(e.getDiskArray());
        } else if (event instanceof DiskArrayDeleted e) {
            removeDiskArray(e.getDiskArray().getDaName());
        } else if (event instanceof ExporterCreated e) {
            putExporter(e.getExporter());
        } else if (event instanceof ExporterModified e) {
            putExporter(e.getExporter());
        } else if (event instanceof ExporterDeleted e) {
            removeExporter(e.getExporter().getDaName(), e.getExporter().getExpName());
        } else if (event instanceof NodeFailed e) {
            markFailed(e);
        } else if (event instanceof NodeRecovered e) {
            markRecovered(e.getNodeName());
        }
    }

    /** The entity changes since the last call, in order, at most one per key. */
    public java.util.List<ModelChange> drainChanges() {
        java.util.List<ModelChange> drained = java.util.List.copyOf(changes.values());
        changes.clear();
        return drained;
    }

    /**
     * Loads entities read back from the state store (in any order) into an empty model and derives the rest.
     * Records no changes.
     */
    public static ClusterModel restore(AllocatorSettings settings, Iterable<SpecificRecord> entities) {
        ClusterModel model = new ClusterModel(settings);
        for (SpecificRecord entity : entities) {
            if (entity instanceof DiskNode dn) {
                model.diskNodes.put(dn.getDnName(), dn);
            } else if (entity instanceof PhysicalDisk pd) {
                model.physicalDisks.put(diskKey(pd.getDnName(), pd.getPdName()), pd);
                model.disksOfNode.computeIfAbsent(pd.getDnName(), n -> new TreeSet<>()).add(pd.getPdName());
            } else if (entity instanceof ControllerNode cn) {
                model.controllerNodes.put(cn.getCnName(), cn);
            } else if (entity instanceof DiskArray da) {
                model.diskArrays.put(da.getDaName(), da);
            } else if (entity instanceof Exporter exp) {
                model.exporters.put(exporterKey(exp.getDaName(), exp.getExpName()), exp);
                model.exportersOfArray.computeIfAbsent(exp.getDaName(), n -> new TreeSet<>()).add(exp.getExpName());
            } else if (entity instanceof NodeFailed failed) {
                model.failedNodes.put(failed.getNodeName(), failed);
            } else {
                throw new IllegalArgumentException("not a cluster model entity: " + entity.getSchema().getFullName());
            }
        }
        for (DiskArray da : model.diskArrays.values()) {
            model.take(da);
        }
        for (String dn : model.diskNodes.keySet()) {
            model.refreshDiskNode(dn);
        }
        for (String cn : model.controllerNodes.keySet()) {
            model.refreshControllerNode(cn);
        }
        return model;
    }

    private void putDiskNode(DiskNode dn) {
        diskNodes.put(dn.getDnName(), dn);
        changed(ModelKeys.diskNode(dn.getDnName()), dn);
        refreshDiskNode(dn.getDnName());
    }

    private void removeDiskNode(String dnName) {
        diskNodes.remove(dnName);
        changed(ModelKeys.diskNode(dnName), null);
        forgetFailure(dnName);
        refreshDiskNode(dnName);
    }

    private void putPhysicalDisk(PhysicalDisk pd) {
        physicalDisks.put(diskKey(pd.getDnName(), pd.getPdName()), pd);
        disksOfNode.computeIfAbsent(pd.getDnName(), n -> new TreeSet<>()).add(pd.getPdName());
        changed(ModelKeys.physicalDisk(pd.getDnName(), pd.getPdName()), pd);
        refreshPhysicalDisk(pd.getDnName(), pd.getPdName());
    }

    private void removePhysicalDisk(String dnName, String pdName) {
        physicalDisks.remove(diskKey(dnName, pdName));
        SortedSet<String> disks = disksOfNode.get(dnName);
        if (disks != null) {
            disks.remove(pdName);
            if (disks.isEmpty()) {
                disksOfNode.remove(dnName);
            }
        }
        changed(ModelKeys.physicalDisk(dnName, pdName), null);
        placement.remove(dnName, pdName);
    }

    private void putControllerNode(ControllerNode cn) {
        controllerNodes.put(cn.getCnName(), cn);
        changed(ModelKeys.controllerNode(cn.getCnName()), cn);
        refreshControllerNode(cn.getCnName());
    }

    private void removeControllerNode(String cnName) {
        controllerNodes.remove(cnName);
        changed(ModelKeys.controllerNode(cnName), null);
        forgetFailure(cnName);
        controllers.remove(cnName);
    }

    private void putDiskArray(DiskArray da) {
        DiskArray old = diskArrays.put(da.getDaName(), da);
        if (old != null) {
            release(old);
        }
        take(da);
        changed(ModelKeys.diskArray(da.getDaName()), da);
        refreshArrayNodes(old);
        refreshArrayNodes(da);
    }

    private void removeDiskArray(String daName) {
        DiskArray old = diskArrays.remove(daName);
        changed(ModelKeys.diskArray(daName), null);
        if (old != null) {
            release(old);
            refreshArrayNodes(old);
        }
    }

    private void putExporter(Exporter exp) {
        Exporter old = exporters.put(exporterKey(exp.getDaName(), exp.getExpName()), exp);
        if (old == null) {
            countExporterSubsystems(exp.getDaName(), +1);
        }
        exportersOfArray.computeIfAbsent(exp.getDaName(), n -> new TreeSet<>()).add(exp.getExpName());
        changed(ModelKeys.exporter(exp.getDaName(), exp.getExpName()), exp);
    }

    private void removeExporter(String daName, String expName) {
        if (exporters.remove(exporterKey(daName, expName)) != null) {
            countExporterSubsystems(daName, -1);
        }
        SortedSet<String> names = exportersOfArray.get(daName);
        if (names != null) {
            names.remove(expName);
            if (names.isEmpty()) {
                exportersOfArray.remove(daName);
            }
        }
        changed(ModelKeys.exporter(daName, expName), null);
    }

    private void markFailed(NodeFailed failed) {
        failedNodes.put(failed.getNodeName(), failed);
        changed(ModelKeys.nodeFailed(failed.getNodeName()), failed);
        refreshDiskNode(failed.getNodeName());
        refreshControllerNode(failed.getNodeName());
    }

    private void countExporterSubsystems(String daName, int delta) {
        DiskArray da = diskArrays.get(daName);
        if (da == null) {
            return;
        }
        for (ControllerPlacement cp : da.getControllers()) {
            subsystemsOnControllerNode.merge(cp.getCnName(), delta, Integer::sum);
            refreshControllerNode(cp.getCnName());
        }
    }

    /** Subsystems an array costs on each of its controller nodes. */
    private int subsystemsPerController(DiskArray da) {
        return exportersOfArray.getOrDefault(da.getDaName(), new TreeSet<>()).size()
                + (da.getControllers().size() > 1 ? 1 : 0);
    }

    /** A deleted node's failure mark goes with it, so a new node of that name starts healthy. */
    private void forgetFailure(String nodeName) {
        if (failedNodes.remove(nodeName) != null) {
            changed(ModelKeys.nodeFailed(nodeName), null);
        }
    }

    private void markRecovered(String nodeName) {
        failedNodes.remove(nodeName);
        changed(ModelKeys.nodeFailed(nodeName), null);
        refreshDiskNode(nodeName);
        refreshControllerNode(nodeName);
    }

    /** Counts a disk array's virtual disks and controllers against the disks and nodes that host them. */
    private void take(DiskArray da) {
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            String key = diskKey(vd.getDnName(), vd.getPdName());
            allocatedByDisk.merge(key, vd.getSizeBytes(), Long::sum);
            arraysOnDisk.computeIfAbsent(key, k -> new TreeSet<>()).add(da.getDaName());
            arraysOnDiskNode.computeIfAbsent(vd.getDnName(), k -> new TreeSet<>()).add(da.getDaName());
        }
        int subsystems = subsystemsPerController(da);
        for (ControllerPlacement cp : da.getControllers()) {
            arraysOnControllerNode.computeIfAbsent(cp.getCnName(), k -> new TreeSet<>()).add(da.getDaName());
            subsystemsOnControllerNode.merge(cp.getCnName(), subsystems, Integer::sum);
        }
    }

    /** The exact inverse of {@link #take}. */
    private void release(DiskArray da) {
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            String key = diskKey(vd.getDnName(), vd.getPdName());
            long left = allocatedByDisk.merge(key, -vd.getSizeBytes(), Long::sum);
            if (left == 0) {
                allocatedByDisk.remove(key);
            }
            removeFrom(arraysOnDisk, key, da.getDaName());
            removeFrom(arraysOnDiskNode, vd.getDnName(), da.getDaName());
        }
        int subsystems = subsystemsPerController(da);
        for (ControllerPlacement cp : da.getControllers()) {
            removeFrom(arraysOnControllerNode, cp.getCnName(), da.getDaName());
            if (subsystemsOnControllerNode.merge(cp.getCnName(), -subsystems, Integer::sum) == 0) {
                subsystemsOnControllerNode.remove(cp.getCnName());
            }
        }
    }

    private void refreshArrayNodes(DiskArray da) {
        if (da == null) {
            return;
        }
        for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
            // This disk's free bytes changed: O(log n). Only when the node's virtual disk count crosses its export
            // limit do all its disks enter or leave the index.
            if (diskNodeAcceptsVirtualDisks(vd.getDnName()) != eligibleDiskNodes.contains(vd.getDnName())) {
                refreshDiskNode(vd.getDnName());
            } else {
                refreshPhysicalDisk(vd.getDnName(), vd.getPdName());
            }
        }
        for (ControllerPlacement cp : da.getControllers()) {
            refreshControllerNode(cp.getCnName());
        }
    }

    private static void removeFrom(Map<String, SortedSet<String>> map, String key, String value) {
        SortedSet<String> set = map.get(key);
        if (set != null) {
            set.remove(value);
            if (set.isEmpty()) {
                map.remove(key);
            }
        }
    }

    private void refreshDiskNode(String dnName) {
        if (diskNodeAcceptsVirtualDisks(dnName)) {
            eligibleDiskNodes.add(dnName);
        } else {
            eligibleDiskNodes.remove(dnName);
        }
        for (String pdName : disksOfNode.getOrDefault(dnName, new TreeSet<>())) {
            refreshPhysicalDisk(dnName, pdName);
        }
    }

    private void refreshPhysicalDisk(String dnName, String pdName) {
        PhysicalDisk pd = physicalDisks.get(diskKey(dnName, pdName));
        if (pd != null && !pd.getIsOffline() && diskNodeAcceptsVirtualDisks(dnName)) {
            placement.put(dnName, diskNodes.get(dnName).getLocation(), pdName, freeBytes(dnName, pdName));
        } else {
            placement.remove(dnName, pdName);
        }
    }

    private void refreshControllerNode(String cnName) {
        ControllerNode cn = controllerNodes.get(cnName);
        if (cn != null && !cn.getIsOffline() && !isFailed(cnName) && controllerNodeHasSubsystemRoom(cnName)) {
            controllers.put(cnName, controllerLoad(cnName));
        } else {
            controllers.remove(cnName);
        }
    }

    private void changed(String key, SpecificRecord value) {
        changes.put(key, new ModelChange(key, value));
    }

    private static String diskKey(String dnName, String pdName) {
        return dnName + "/" + pdName;
    }

    private static String exporterKey(String daName, String expName) {
        return daName + "/" + expName;
    }
}
