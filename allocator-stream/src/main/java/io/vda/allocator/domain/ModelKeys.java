package io.vda.allocator.domain;

import io.vda.schema.RecordKeys;
import io.vda.schema.common.ResourceKind;

/** Keys of the cluster model's entries in the allocator's state store, built in one place. */
public final class ModelKeys {

    public static final String NODE_FAILED_PREFIX = "node-failed/";

    private ModelKeys() {
    }

    public static String diskNode(String dnName) {
        return RecordKeys.resource(ResourceKind.DISK_NODE, dnName);
    }

    public static String physicalDisk(String dnName, String pdName) {
        return RecordKeys.resource(ResourceKind.PHYSICAL_DISK, RecordKeys.physicalDiskName(dnName, pdName));
    }

    public static String controllerNode(String cnName) {
        return RecordKeys.resource(ResourceKind.CONTROLLER_NODE, cnName);
    }

    public static String diskArray(String daName) {
        return RecordKeys.resource(ResourceKind.DISK_ARRAY, daName);
    }

    public static String exporter(String daName, String expName) {
        return RecordKeys.resource(ResourceKind.EXPORTER, RecordKeys.exporterName(daName, expName));
    }

    /** A node the reconciler marked failed; the value is the {@code NodeFailed} event. */
    public static String nodeFailed(String nodeName) {
        return NODE_FAILED_PREFIX + nodeName;
    }
}
