package io.vda.reconciler.failover;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.schema.command.FailoverController;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FailoverPlannerTest {

    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    @Test
    void shouldFailOverOnlyTheDiskArraysWhosePrimaryFailed() {
        List<DiskArrayView> arrays = List.of(
                new DiskArrayView("db2", 3, "cn1", List.of("cn2")),
                new DiskArrayView("db1", 1, "cn1", List.of("cn3")),
                new DiskArrayView("db3", 1, "cn2", List.of("cn1")));

        List<FailoverController> plan = FailoverPlanner.plan(Set.of("cn1"), arrays, NOW);

        assertThat(plan).extracting(FailoverController::getDaName).containsExactly("db1", "db2");
        assertThat(plan).extracting(FailoverController::getEpoch).containsExactly(1L, 3L);
        assertThat(plan).allSatisfy(c -> assertThat(c.getFailedCnName()).isEqualTo("cn1"));
    }

    @Test
    void shouldDeriveTheSameCommandIdForTheSameDecision() {
        DiskArrayView db1 = new DiskArrayView("db1", 1, "cn1", List.of("cn2"));

        String first = FailoverPlanner.plan(Set.of("cn1"), List.of(db1), NOW).get(0).getCommandId();
        String again = FailoverPlanner.plan(Set.of("cn1"), List.of(db1), NOW.plusSeconds(9)).get(0).getCommandId();
        String nextEpoch = FailoverPlanner.plan(Set.of("cn1"),
                List.of(new DiskArrayView("db1", 2, "cn1", List.of("cn2"))), NOW).get(0).getCommandId();

        assertThat(again).isEqualTo(first);
        assertThat(nextEpoch).isNotEqualTo(first);
    }

    @Test
    void shouldPlanNothingWithoutAFailedPrimary() {
        assertThat(FailoverPlanner.plan(Set.of("cn9"),
                List.of(new DiskArrayView("db1", 1, "cn1", List.of("cn9"))), NOW)).isEmpty();
    }
}
