package io.vda.agent.report;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.agent.reconcile.PassReport;
import io.vda.agent.reconcile.PassReport.ObjectResult;
import io.vda.agent.reconcile.PassReport.State;
import io.vda.agent.reconcile.Trigger;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.status.NodeStatus;
import io.vda.schema.status.ObjectStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StatusReporterTest {

    private static PassReport report(Map<String, ObjectResult> objects) {
        return new PassReport(1, Trigger.TIMER, true, "SPDK v23.09", null, objects, List.of(), 1, 6, 0);
    }

    @Test
    void shouldSendOnlyChangesUntilTheRefreshIsDue() {
        Instant[] now = {Instant.parse("2026-11-25T10:00:00Z")};
        Clock clock = new Clock() {
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            public Clock withZone(java.time.ZoneId z) {
                return this;
            }

            public Instant instant() {
                return now[0];
            }
        };
        StatusReporter reporter = new StatusReporter("dn1", NodeKind.DISK_NODE, Duration.ofSeconds(30), clock);
        Map<String, ObjectResult> ok = Map.of("pd/pd0", new ObjectResult(State.OK, null, 0),
                "vd/db1/0", new ObjectResult(State.OK, null, 3));

        var first = reporter.recordsFor(report(ok));
        now[0] = now[0].plusSeconds(2);
        var same = reporter.recordsFor(report(ok));
        var changed = reporter.recordsFor(report(Map.of("pd/pd0", new ObjectResult(State.OK, null, 0),
                "vd/db1/0", new ObjectResult(State.ERROR, "boom", 3))));
        now[0] = now[0].plusSeconds(31);
        var refreshed = reporter.recordsFor(report(ok));

        assertThat(first).hasSize(3);
        assertThat(first).extracting(StatusReporter.Keyed::value).hasAtLeastOneElementOfType(NodeStatus.class);
        ObjectStatus pd = (ObjectStatus) first.stream().filter(k -> k.key().equals("dn1/pd/pd0")).findFirst()
                .orElseThrow().value();
        assertThat(pd.getResourceKind()).isEqualTo(ResourceKind.PHYSICAL_DISK);
        assertThat(pd.getResourceName()).isEqualTo("dn1/pd0");
        assertThat(same).isEmpty();
        assertThat(changed).extracting(StatusReporter.Keyed::key).containsExactly("dn1/vd/db1/0");
        assertThat(refreshed).hasSize(3);
    }
}
