package io.vda.command.request;

import io.vda.schema.EtcdKeys;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.ResourceKind;

/** The five resource types of the API: their URL segment, name fields, etcd keys and Kafka record keys, in one place. */
public enum ResourceType {
    DISK_NODE(ResourceKind.DISK_NODE, "disk-nodes", "dnName", null),
    PHYSICAL_DISK(ResourceKind.PHYSICAL_DISK, "physical-disks", "pdName", "dnName"),
    CONTROLLER_NODE(ResourceKind.CONTROLLER_NODE, "controller-nodes", "cnName", null),
    DISK_ARRAY(ResourceKind.DISK_ARRAY, "disk-arrays", "daName", null),
    EXPORTER(ResourceKind.EXPORTER, "exporters", "expName", "daName");

    public static final String API_ROOT = "/v1";

    private final ResourceKind kind;
    private final String segment;
    private final String nameField;
    private final String parentNameField;

    ResourceType(ResourceKind kind, String segment, String nameField, String parentNameField) {
        this.kind = kind;
        this.segment = segment;
        this.nameField = nameField;
        this.parentNameField = parentNameField;
    }

    public ResourceKind kind() {
        return kind;
    }

    public String segment() {
        return segment;
    }

    /** The JSON field (and path parameter) holding this resource's own name, e.g. {@code daName}. */
    public String nameField() {
        return nameField;
    }

    /** The parent's name field ({@code dnName} for physical disks, {@code daName} for exporters), or null. */
    public String parentNameField() {
        return parentNameField;
    }

    public boolean hasParent() {
        return parentNameField != null;
    }

    public ResourceType parentType() {
        return switch (this) {
            case PHYSICAL_DISK -> DISK_NODE;
            case EXPORTER -> DISK_ARRAY;
            default -> null;
        };
    }

    /** {@code /v1/disk-nodes/dn1/physical-disks} */
    public String collectionPath(String parent) {
        return hasParent() ? parentType().itemPath(null, parent) + "/" + segment : API_ROOT + "/" + segment;
    }

    /** {@code /v1/disk-nodes/dn1/physical-disks/pd1} */
    public String itemPath(String parent, String name) {
        return collectionPath(parent) + "/" + name;
    }

    /** The name used in record keys and outcomes: {@code dn1/pd1} for a physical disk, {@code db1} for a disk array. */
    public String resourceName(String parent, String name) {
        return switch (this) {
            case PHYSICAL_DISK -> RecordKeys.physicalDiskName(parent, name);
            case EXPORTER -> RecordKeys.exporterName(parent, name);
            default -> name;
        };
    }

    public String recordKey(String parent, String name) {
        return RecordKeys.resource(kind, resourceName(parent, name));
    }

    public String etcdKey(EtcdKeys keys, String parent, String name) {
        return switch (this) {
            case DISK_NODE -> keys.diskNode(name);
            case PHYSICAL_DISK -> keys.physicalDisk(parent, name);
            case CONTROLLER_NODE -> keys.controllerNode(name);
            case DISK_ARRAY -> keys.diskArray(name);
            case EXPORTER -> keys.exporter(parent, name);
        };
    }

    /** The etcd prefix under which {@link #etcdKey} puts this type's documents (of one parent, if it has one). */
    public String etcdPrefix(EtcdKeys keys, String parent) {
        return switch (this) {
            case DISK_NODE -> keys.diskNodesPrefix();
            case PHYSICAL_DISK -> keys.physicalDisksPrefix(parent);
            case CONTROLLER_NODE -> keys.controllerNodesPrefix();
            case DISK_ARRAY -> keys.diskArraysPrefix();
            case EXPORTER -> keys.exportersPrefix(parent);
        };
    }

    /** Human words for messages: "disk array". */
    public String words() {
        return name().toLowerCase().replace('_', ' ');
    }
}
