package io.vda.reconciler.drift;

import io.vda.schema.common.NodeKind;

/**
 * How one expected object stands in the projections' documents: {@code node} must hold {@code objectKey}.
 *
 * @param message the agent's message for ERROR, else a short description
 */
public record ObjectCondition(String node, NodeKind nodeKind, String objectKey, Condition condition, String message) {

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
