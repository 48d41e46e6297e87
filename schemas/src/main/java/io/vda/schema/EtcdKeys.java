package io.vda.schema;

/**
 * The etcd key layout, built in one place. Everything lives under a root ({@code /vda} by default):
 *
 * <pre>
 * {root}/schema-registry/next-id                       next free schema id
 * {root}/schema-registry/ids/{id}                      schema JSON
 * {root}/schema-registry/fingerprints/{sha256}         id of that exact schema text
 * {root}/schema-registry/subjects/{subject}/latest     latest version number
 * {root}/schema-registry/subjects/{subject}/versions/{n}        schema id of version n (n zero-padded)
 * {root}/schema-registry/subjects/{subject}/fingerprints/{sha256} schema id, if registered in this subject
 * {root}/resources/disk-nodes/{dn}                     projection documents (JSON) …
 * {root}/resources/physical-disks/{dn}/{pd}
 * {root}/resources/controller-nodes/{cn}
 * {root}/resources/disk-arrays/{da}
 * {root}/resources/exporters/{da}/{exp}
 * {root}/commands/{commandId}                          command outcome (JSON)
 * {root}/idempotency/{key}                             command id a gateway request key maps to
 * {root}/projection-offsets/{topic}/{partition}        next offset the projection will apply
 * {root}/projection-state/…                            the projection's own bookkeeping (lock, sequence, …)
 * {root}/reconciler/leader                             leader election (lease-bound)
 * </pre>
 */
public final class EtcdKeys {

    public static final String DEFAULT_ROOT = "/vda";

    private final String root;

    public EtcdKeys(String root) {
        if (root == null || !root.matches("/[a-zA-Z0-9._/-]*[a-zA-Z0-9._-]")) {
            throw new IllegalArgumentException("etcd root must start with / and not end with /: " + root);
        }
        this.root = root;
    }

    public static EtcdKeys defaults() {
        return new EtcdKeys(DEFAULT_ROOT);
    }

    public String root() {
        return root;
    }

    // --- schema registry

    private String registry() {
        return root + "/schema-registry";
    }

    public String schemaNextId() {
        return registry() + "/next-id";
    }

    public String schemaById(int id) {
        return registry() + "/ids/" + id;
    }

    public String schemaIdByFingerprint(String fingerprint) {
        return registry() + "/fingerprints/" + fingerprint;
    }

    public String subjectLatest(String subject) {
        return registry() + "/subjects/" + subject + "/latest";
    }

    /** Versions are zero-padded so that a prefix range lists them in order. */
    public String subjectVersion(String subject, int version) {
        return subjectVersionsPrefix(subject) + String.format("%010d", version);
    }

    public String subjectVersionsPrefix(String subject) {
        return registry() + "/subjects/" + subject + "/versions/";
    }

    public String subjectFingerprint(String subject, String fingerprint) {
        return registry() + "/subjects/" + subject + "/fingerprints/" + fingerprint;
    }

    // --- projected resources

    public String resourcesPrefix() {
        return root + "/resources/";
    }

    public String diskNodesPrefix() {
        return resourcesPrefix() + "disk-nodes/";
    }

    public String diskNode(String dnName) {
        return diskNodesPrefix() + dnName;
    }

    public String physicalDisksPrefix() {
        return resourcesPrefix() + "physical-disks/";
    }

    public String physicalDisksPrefix(String dnName) {
        return physicalDisksPrefix() + dnName + "/";
    }

    public String physicalDisk(String dnName, String pdName) {
        return physicalDisksPrefix(dnName) + pdName;
    }

    public String controllerNodesPrefix() {
        return resourcesPrefix() + "controller-nodes/";
    }

    public String controllerNode(String cnName) {
        return controllerNodesPrefix() + cnName;
    }

    public String diskArraysPrefix() {
        return resourcesPrefix() + "disk-arrays/";
    }

    public String diskArray(String daName) {
        return diskArraysPrefix() + daName;
    }

    public String exportersPrefix() {
        return resourcesPrefix() + "exporters/";
    }

    public String exportersPrefix(String daName) {
        return exportersPrefix() + daName + "/";
    }

    public String exporter(String daName, String expName) {
        return exportersPrefix(daName) + expName;
    }

    // --- commands and the gateway

    public String commandsPrefix() {
        return root + "/commands/";
    }

    public String commandOutcome(String commandId) {
        return commandsPrefix() + commandId;
    }

    public String idempotencyPrefix() {
        return root + "/idempotency/";
    }

    public String idempotencyKey(String key) {
        return idempotencyPrefix() + key;
    }

    // --- projections and reconciler

    public String projectionOffsetsPrefix() {
        return root + "/projection-offsets/";
    }

    public String projectionOffset(String topic, int partition) {
        return projectionOffsetsPrefix() + topic + "/" + partition;
    }

    /** The projection's bookkeeping; its layout below this prefix is the projection's (ProjectionKeys). */
    public String projectionStatePrefix() {
        return root + "/projection-state/";
    }

    public String reconcilerLeader() {
        return root + "/reconciler/leader";
    }
}
