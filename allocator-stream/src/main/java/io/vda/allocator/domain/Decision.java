package io.vda.allocator.domain;

import io.vda.schema.event.CommandOutcome;
import java.util.List;

/** What {@link Allocator#decide} answers to one command: its outcome and the events to apply and publish. */
public record Decision(CommandOutcome outcome, List<KeyedEvent> events) {
    public Decision {
        events = List.copyOf(events);
    }
}
