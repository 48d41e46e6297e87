package io.vda.reconciler.drift;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.reconciler.drift.ObjectCondition.Condition;
import io.vda.schema.common.NodeKind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DriftDetectorTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private static final Duration BOUND = Duration.ofSeconds(30);

    private final DriftDetector detector = new DriftDetector(BOUND);

    private static Instant at(long seconds) {
        return T0.plusSeconds(seconds);
    }

    private static ObjectCondition missing(String node, String key) {
        return new ObjectCondition(node, NodeKind.DISK_NODE, key, Condition.MISSING, "not reported");
    }

    private static ObjectCondition error(String node, String key) {
        return new ObjectCondition(node, NodeKind.CONTROLLER_NODE, key, Condition.ERROR, "bdev_raid_create failed");
    }

    private static ObjectCondition present(String node, String key) {
        return new ObjectCondition(node, NodeKind.DISK_NODE, key, Condition.PRESENT, "OK");
    }

    @Test
    void shouldRedriveANodeOnlyAfterItsObjectWasStuckLongerThanTheBound() {
        List<ObjectCondition> stuck = List.of(missing("dn1", "vd/db1/0"), present("dn2", "vd/db1/1"));

        assertThat(detector.evaluate(stuck, Set.of(), at(0))).isEmpty();
        assertThat(detector.evaluate(stuck, Set.of(), at(30))).isEmpty();
        List<Redrive> redrives = detector.evaluate(stuck, Set.of(), at(31));

        assertThat(redrives).singleElement().satisfies(r -> {
            assertThat(r.nodeName()).isEqualTo("dn1");
            assertThat(r.nodeKind()).isEqualTo(NodeKind.DISK_NODE);
            assertThat(r.objectKeys()).containsExactly("vd/db1/0");
            assertThat(r.reason()).isEqualTo("stuck longer than the drift bound of 30s: vd/db1/0 missing"
                    + " (not reported) for 31s");
        });
    }

    @Test
    void shouldRestartTheClockWhenTheObjectRecoversInBetween() {
        detector.evaluate(List.of(error("cn1", "cntlr/db1")), Set.of(), at(0));
        detector.evaluate(List.of(present("cn1", "cntlr/db1")), Set.of(), at(20));
        detector.evaluate(List.of(error("cn1", "cntlr/db1")), Set.of(), at(25));

        assertThat(detector.evaluate(List.of(error("cn1", "cntlr/db1")), Set.of(), at(50))).isEmpty();
        assertThat(detector.evaluate(List.of(error("cn1", "cntlr/db1")), Set.of(), at(56)))
                .singleElement().satisfies(r -> assertThat(r.reason()).contains("cntlr/db1 in ERROR"
                        + " (bdev_raid_create failed) for 31s"));
    }

    @Test
    void shouldRedriveANodeAtMostOncePerBoundWhileItStaysStuck() {
        List<ObjectCondition> stuck = List.of(missing("dn1", "vd/db1/0"), missing("dn1", "pd/pd1"));
        detector.evaluate(stuck, Set.of(), at(0));

        assertThat(detector.evaluate(stuck, Set.of(), at(31))).singleElement()
                .satisfies(r -> assertThat(r.objectKeys()).containsExactly("pd/pd1", "vd/db1/0"));
        assertThat(detector.evaluate(stuck, Set.of(), at(32))).isEmpty();
        assertThat(detector.evaluate(stuck, Set.of(), at(61))).isEmpty();
        assertThat(detector.evaluate(stuck, Set.of(), at(62))).hasSize(1);
    }

    @Test
    void shouldGiveEveryStuckObjectOfARedrivenNodeAWholeBound() {
        detector.evaluate(List.of(missing("dn1", "vd/db1/0")), Set.of(), at(0));
        List<ObjectCondition> both = List.of(missing("dn1", "vd/db1/0"), missing("dn1", "vd/db2/0"));
        detector.evaluate(both, Set.of(), at(20)); // vd/db2/0 stuck since 20

        assertThat(detector.evaluate(both, Set.of(), at(31))).singleElement()
                .satisfies(r -> assertThat(r.objectKeys()).containsExactly("vd/db1/0"));
        // vd/db2/0 would be overdue at 51, but the re-drive at 31 restarted its clock too
        assertThat(detector.evaluate(both, Set.of(), at(55))).isEmpty();
    }

    @Test
    void shouldLeaveObjectsOnFailedNodesToFailureHandling() {
        List<ObjectCondition> stuck = List.of(missing("dn1", "vd/db1/0"));
        detector.evaluate(stuck, Set.of("dn1"), at(0));

        assertThat(detector.evaluate(stuck, Set.of("dn1"), at(100))).isEmpty();
        assertThat(detector.stuckCount()).isZero();
        // recovered: its clock starts now, not when it was first seen while failed
        assertThat(detector.evaluate(stuck, Set.of(), at(101))).isEmpty();
        assertThat(detector.evaluate(stuck, Set.of(), at(131))).isEmpty();
        assertThat(detector.evaluate(stuck, Set.of(), at(132))).hasSize(1);
    }

    @Test
    void shouldLeaveTheObjectsOfADiskArrayPlacedOnAFailedNodeToFailureHandling() {
        // the controller of db1 on cn1 cannot assemble its raid while db1's disk node dn1 is failed
        List<ObjectCondition> stuck = List.of(new ObjectCondition("cn1", NodeKind.CONTROLLER_NODE, "cntlr/db1",
                Condition.ERROR, "bdev_nvme_attach_controller failed", Set.of("dn1", "cn1")));
        detector.evaluate(stuck, Set.of("dn1"), at(0));

        assertThat(detector.evaluate(stuck, Set.of("dn1"), at(100))).isEmpty();
    }

    @Test
    void shouldStartEveryClockAfreshInANewDetectorSoANewLeaderNeverActsOnStaleInformation() {
        List<ObjectCondition> stuck = List.of(missing("dn1", "vd/db1/0"));
        detector.evaluate(stuck, Set.of(), at(0));
        DriftDetector newLeader = new DriftDetector(BOUND);

        assertThat(newLeader.evaluate(stuck, Set.of(), at(29))).isEmpty();
        assertThat(newLeader.evaluate(stuck, Set.of(), at(59))).isEmpty();
        assertThat(newLeader.evaluate(stuck, Set.of(), at(60))).hasSize(1);
    }

    @Test
    void shouldForgetObjectsNoLongerExpected() {
        detector.evaluate(List.of(missing("dn1", "vd/db1/0")), Set.of(), at(0));
        detector.evaluate(List.of(), Set.of(), at(10)); // db1 deleted
        detector.evaluate(List.of(missing("dn1", "vd/db1/0")), Set.of(), at(20)); // db1 created again

        assertThat(detector.evaluate(List.of(missing("dn1", "vd/db1/0")), Set.of(), at(40))).isEmpty();
    }
}
