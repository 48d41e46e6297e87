package io.vda.schema;

import io.vda.schema.common.ResourceKind;

/**
 * Kafka record keys, built in one place.
 * Commands and events are keyed by resource ({@code disk-array/db1}), outcomes by command id, node-topic records
 * by object key ({@code pd/pd1}, {@code vd/db1/0}, {@code cntlr/db1}, {@code exp/db1/exp1}), status by
 * {@code <node>/<objectKey>} and node status and heartbeats by node name.
 */
public final class RecordKeys {

    public static final String NODE_OBJECT = "node";

    private RecordKeys() {
    }

    public static String resource(ResourceKind kind, String name) {
        return kindSegment(kind) + "/" + name;
    }

    public static String kindSegment(ResourceKind kind) {
        return switch (kind) {
            case DISK_NODE -> "disk-node";
            case PHYSICAL_DISK -> "physical-disk";
            case CONTROLLER_NODE -> "controller-node";
            case DISK_ARRAY -> "disk-array";
            case EXPORTER -> "exporter";
            case UNKNOWN -> "unknown";
        };
    }

    /** "dn1/pd1": a physical disk's resource name. */
    public static String physicalDiskName(String dnName, String pdName) {
        return dnName + "/" + pdName;
    }

    /** "db1/exp1": an exporter's resource name. */
    public static String exporterName(String daName, String expName) {
        return daName + "/" + expName;
    }

    public static String physicalDiskObject(String pdName) {
        return "pd/" + pdName;
    }

    public static String virtualDiskObject(String daName, int vdIndex) {
        return "vd/" + daName + "/" + vdIndex;
    }

    public static String controllerObject(String daName) {
        return "cntlr/" + daName;
    }

    public static String exporterObject(String daName, String expName) {
        return "exp/" + daName + "/" + expName;
    }

    public static String objectStatus(String nodeName, String objectKey) {
        return nodeName + "/" + objectKey;
    }
}
