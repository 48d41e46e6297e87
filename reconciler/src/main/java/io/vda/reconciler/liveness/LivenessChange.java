package io.vda.reconciler.liveness;

import io.vda.schema.common.NodeKind;
import java.time.Instant;

/** A node's liveness changed: the reconciler turns this into a command. */
public sealed interface LivenessChange {

    String nodeName();

    NodeKind nodeKind();

    /** No heartbeat since {@code lastSeen}, past the grace period. */
    record Failed(String nodeName, NodeKind nodeKind, Instant lastSeen) implements LivenessChange {
    }

    /** A node declared failed heartbeats again (from agent process {@code incarnation}). */
    record Recovered(String nodeName, NodeKind nodeKind, String incarnation) implements LivenessChange {
    }
}
