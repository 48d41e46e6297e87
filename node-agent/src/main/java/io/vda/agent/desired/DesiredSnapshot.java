package io.vda.agent.desired;

import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.ExporterSpec;
import io.vda.schema.state.NodeSpec;
import io.vda.schema.state.PhysicalDiskSpec;
import io.vda.schema.state.VirtualDiskSpec;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/** An immutable copy of a node's desired state, keyed by object key (sorted, so plans are deterministic). */
public record DesiredSnapshot(NodeSpec node, SortedMap<String, PhysicalDiskSpec> physicalDisks,
        SortedMap<String, VirtualDiskSpec> virtualDisks, SortedMap<String, ControllerSpec> controllers,
        SortedMap<String, ExporterSpec> exporters) {

    public DesiredSnapshot {
        physicalDisks = new TreeMap<>(physicalDisks);
        virtualDisks = new TreeMap<>(virtualDisks);
        controllers = new TreeMap<>(controllers);
        exporters = new TreeMap<>(exporters);
    }

    public static DesiredSnapshot empty() {
        return new DesiredSnapshot(null, new TreeMap<>(), new TreeMap<>(), new TreeMap<>(), new TreeMap<>());
    }

    /** Every desired object key with its epoch (0 for the node and physical disks). */
    public Map<String, Long> objectEpochs() {
        Map<String, Long> out = new TreeMap<>();
        physicalDisks.keySet().forEach(k -> out.put(k, 0L));
        virtualDisks.forEach((k, v) -> out.put(k, v.getEpoch()));
        controllers.forEach((k, v) -> out.put(k, v.getEpoch()));
        exporters.forEach((k, v) -> out.put(k, v.getEpoch()));
        return out;
    }

    public int size() {
        return physicalDisks.size() + virtualDisks.size() + controllers.size() + exporters.size();
    }
}
