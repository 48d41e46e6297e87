package io.vda.projections.document;

import io.vda.schema.event.CommandOutcome;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectStatus;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;

/** One record the projection applies, already read from Kafka: the projector never sees bytes or topics. */
public sealed interface ProjectionInput {

    /** A record from the events topic (any event type; unknown types change nothing). */
    record Event(SpecificRecord event) implements ProjectionInput {
        public Event {
            Objects.requireNonNull(event, "event");
        }
    }

    /** An object's observed state from the status topic. */
    record ObjectStatusReport(ObjectStatus status) implements ProjectionInput {
        public ObjectStatusReport {
            Objects.requireNonNull(status, "status");
        }
    }

    /** A node's observed state from the status topic. */
    record NodeStatusReport(NodeStatus status) implements ProjectionInput {
        public NodeStatusReport {
            Objects.requireNonNull(status, "status");
        }
    }

    /** A tombstone on the status topic: key {@code <node>} or {@code <node>/<objectKey>}. */
    record StatusRemoved(String statusKey) implements ProjectionInput {
        public StatusRemoved {
            Objects.requireNonNull(statusKey, "statusKey");
        }
    }

    /** A command's outcome from the outcomes topic. */
    record Outcome(CommandOutcome outcome) implements ProjectionInput {
        public Outcome {
            Objects.requireNonNull(outcome, "outcome");
        }
    }

    /** A tombstone on the outcomes topic (key = command id). */
    record OutcomeRemoved(String commandId) implements ProjectionInput {
        public OutcomeRemoved {
            Objects.requireNonNull(commandId, "commandId");
        }
    }
}
