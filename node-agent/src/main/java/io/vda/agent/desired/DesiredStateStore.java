package io.vda.agent.desired;

import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.ExporterSpec;
import io.vda.schema.state.NodeSpec;
import io.vda.schema.state.PhysicalDiskSpec;
import io.vda.schema.state.VirtualDiskSpec;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's desired state in memory: the latest record per object key of the node topic, tombstone = removed.
 * A record of a disk array (vd, cntlr, exp) with an older epoch than one already held for that array is a stale
 * primary's message and is ignored. Thread-safe; {@link #snapshot} gives the reconciler an immutable copy.
 */
public final class DesiredStateStore {
    private static final Logger LOG = LoggerFactory.getLogger(DesiredStateStore.class);

    private NodeSpec node;
    private final Map<String, PhysicalDiskSpec> physicalDisks = new TreeMap<>();
    private final Map<String, VirtualDiskSpec> virtualDisks = new TreeMap<>();
    private final Map<String, ControllerSpec> controllers = new TreeMap<>();
    private final Map<String, ExporterSpec> exporters = new TreeMap<>();
    private final Map<String, Long> epochByDiskArray = new HashMap<>();
    private long version;

    /** Applies one node-topic record; returns whether the desired state changed. */
    public synchronized boolean apply(String key, SpecificRecord value) {
        if (key == null) {
            return false;
        }
        if (value == null) {
            return remove(key);
        }
        boolean changed;
        if (value instanceof NodeSpec n) {
            changed = !n.equals(node);
            node = n;
        } else if (value instanceof PhysicalDiskSpec p) {
            changed = put(physicalDisks, key, p);
        } else if (value instanceof VirtualDiskSpec v) {
            changed = fresh(key, v.getDaName(), v.getEpoch()) && put(virtualDisks, key, v);
        } else if (value instanceof ControllerSpec c) {
            changed = fresh(key, c.getDaName(), c.getEpoch()) && put(controllers, key, c);
        } else if (value instanceof ExporterSpec e) {
            changed = fresh(key, e.getDaName(), e.getEpoch()) && put(exporters, key, e);
        } else {
            LOG.warn("node topic record {} has an unexpected type {}; ignored", key, value.getSchema().getFullName());
            changed = false;
        }
        if (changed) {
            version++;
        }
        return changed;
    }

    private static <T> boolean put(Map<String, T> map, String key, T value) {
        return !value.equals(map.put(key, value));
    }

    private boolean fresh(String key, String daName, long epoch) {
        long held = epochByDiskArray.getOrDefault(daName, Long.MIN_VALUE);
        if (epoch < held) {
            LOG.info("Ignoring {} with epoch {}: epoch {} already held for disk array {}", key, epoch, held, daName);
            return false;
        }
        epochByDiskArray.put(daName, epoch);
        return true;
    }

    private boolean remove(String key) {
        boolean changed;
        if (key.equals("node")) {
            changed = node != null;
            node = null;
        } else {
            changed = physicalDisks.remove(key) != null | virtualDisks.remove(key) != null
                    | controllers.remove(key) != null | exporters.remove(key) != null;
        }
        if (changed) {
            version++;
            forgetEpochsOfRemovedArrays();
        }
        return changed;
    }

    /** An array with no record left is gone: a new array of the same name starts its epochs afresh. */
    private void forgetEpochsOfRemovedArrays() {
        java.util.Set<String> present = new java.util.HashSet<>();
        virtualDisks.values().forEach(v -> present.add(v.getDaName()));
        controllers.values().forEach(c -> present.add(c.getDaName()));
        exporters.values().forEach(e -> present.add(e.getDaName()));
        epochByDiskArray.keySet().retainAll(present);
    }

    public synchronized long version() {
        return version;
    }

    public synchronized DesiredSnapshot snapshot() {
        return new DesiredSnapshot(node, new TreeMap<>(physicalDisks), new TreeMap<>(virtualDisks),
                new TreeMap<>(controllers), new TreeMap<>(exporters));
    }
}
