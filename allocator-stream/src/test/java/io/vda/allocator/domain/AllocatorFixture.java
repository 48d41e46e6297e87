package io.vda.allocator.domain;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.allocator.TestCommands;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.CommandStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;

/** Given commands (each must succeed) → when a command → then its outcome, events and desired state. */
final class AllocatorFixture {

    final ClusterModel model;
    /** Everything the given commands produced, in order. */
    final List<Handled> handled = new ArrayList<>();

    AllocatorFixture(AllocatorSettings settings) {
        this.model = new ClusterModel(settings);
    }

    AllocatorFixture() {
        this(AllocatorSettings.defaults());
    }

    AllocatorFixture given(SpecificRecord... commands) {
        for (SpecificRecord command : commands) {
            Handled handled = Allocator.handle(model, command, TestCommands.T0);
            this.handled.add(handled);
            assertThat(handled.outcome().getStatus())
                    .as("given %s: %s", Commands.type(command), handled.outcome().getMessage())
                    .isEqualTo(CommandStatus.SUCCEEDED);
        }
        return this;
    }

    /** Three disk nodes per location in locations a, b, c, one disk each; two controller nodes. */
    AllocatorFixture givenCluster(int nodesPerLocation, long diskBytes, String... locations) {
        for (String location : locations) {
            for (int i = 1; i <= nodesPerLocation; i++) {
                String dn = "dn-" + location + i;
                given(TestCommands.createDiskNode(dn, location), TestCommands.createPhysicalDisk(dn, "pd1", diskBytes));
            }
        }
        return given(TestCommands.createControllerNode("cn1", ""), TestCommands.createControllerNode("cn2", ""));
    }

    Handled when(SpecificRecord command) {
        return Allocator.handle(model, command, TestCommands.T0);
    }

    static CommandOutcome succeeded(Handled handled) {
        assertThat(handled.outcome().getStatus()).as(handled.outcome().getMessage())
                .isEqualTo(CommandStatus.SUCCEEDED);
        return handled.outcome();
    }

    static CommandOutcome rejected(Handled handled) {
        assertThat(handled.outcome().getStatus()).as(handled.outcome().getMessage())
                .isEqualTo(CommandStatus.REJECTED);
        assertThat(handled.events()).hasSize(1);
        assertThat(handled.events().get(0).event().getSchema().getName()).endsWith("Rejected");
        assertThat(handled.nodeSpecs()).isEmpty();
        assertThat(handled.modelChanges()).isEmpty();
        return handled.outcome();
    }

    static List<String> eventTypes(Handled handled) {
        return handled.events().stream().map(e -> e.event().getSchema().getName()).collect(Collectors.toList());
    }
}
