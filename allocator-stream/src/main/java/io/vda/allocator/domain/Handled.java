package io.vda.allocator.domain;

import io.vda.schema.event.CommandOutcome;
import java.util.List;

/**
 * Everything one command produced: its outcome, its events, the desired-state records for the nodes it touched and
 * the model entities to write back to the state store.
 */
public record Handled(CommandOutcome outcome, List<KeyedEvent> events, List<NodeSpecChange> nodeSpecs,
        List<ModelChange> modelChanges) {
    public Handled {
        events = List.copyOf(events);
        nodeSpecs = List.copyOf(nodeSpecs);
        modelChanges = List.copyOf(modelChanges);
    }
}
