package io.vda.reconciler.drift;

import io.vda.schema.common.NodeKind;
import java.util.Set;

/**
 * How one expected object stands in the projections' documents: {@code node} must hold {@code objectKey}.
 *
 * @param message the agent's message for ERROR, else a short description
 * @param dependsOn every node the object's resource is placed on (a disk array's disk and controller nodes; a
 *     physical disk's disk node): when one of them has failed, the object may be stuck for that reason alone
 */
public record ObjectCondition(String node, NodeKind nodeKind, String objectKey, Condition condition, String message,
        Set<String> dependsOn) {

    public ObjectCondition {
        dependsOn = Set.copyOf(dependsOn);
    }

    /** An object that depends on its own node only. */
    public ObjectCondition(String node, NodeKind nodeKind, String objectKey, Condition condition, String message) {
        this(node, nodeKind, objectKey, condition, message, Set.of(node));
    }

    public enum Condition {
        /** Reported OK, or PENDING (the agent holds it and waits for a dependency), at the expected epoch. */
        PRESENT,
        /** Reported ERROR. */
        ERROR,
        /** No report at an epoch at least the disk array's: the node does not hold it (yet, or any more). */
        MISSING
    }

    public boolean stuck() {
        return condition != Condition.PRESENT;
    }

    /** {@code <node>/<objectKey>}, as the status topic keys it. */
    public String id() {
        return node + "/" + objectKey;
    }
}
