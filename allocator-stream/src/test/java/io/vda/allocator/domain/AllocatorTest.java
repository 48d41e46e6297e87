package io.vda.allocator.domain;

import static io.vda.allocator.TestCommands.GIB;
import static io.vda.allocator.TestCommands.MIB;
import static io.vda.allocator.domain.AllocatorFixture.eventTypes;
import static io.vda.allocator.domain.AllocatorFixture.rejected;
import static io.vda.allocator.domain.AllocatorFixture.succeeded;
import static org.assertj.core.api.Assertions.assertThat;

import io.vda.allocator.TestCommands;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.RejectReason;
import io.vda.schema.event.ControllerFailedOver;
import io.vda.schema.event.DiskArrayCreated;
import io.vda.schema.event.NodeFailed;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.VirtualDiskPlacement;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.state.ControllerSpec;
import io.vda.schema.state.VirtualDiskSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** Given/when/then tests of the decisions, with no infrastructure. */
class AllocatorTest {

    @Test
    void shouldPlaceEachVirtualDiskOnADistinctNodeAndEmitEveryNodesDesiredState() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(2, 4 * GIB, "a", "b");

        Handled h = f.when(TestCommands.createDiskArray("db1", 3 * GIB, 3, 2));

        succeeded(h);
        DiskArray da = ((DiskArrayCreated) h.events().get(0).event()).getDiskArray();
        assertThat(da.getVirtualDisks()).hasSize(3)
                .extracting(VirtualDiskPlacement::getDnName).doesNotHaveDuplicates();
        assertThat(da.getControllers()).extracting(c -> c.getRole())
                .containsExactly(ControllerRole.PRIMARY, ControllerRole.SECONDARY);
        assertThat(h.nodeSpecs()).extracting(NodeSpecChange::objectKey)
                .containsExactlyInAnyOrder("vd/db1/0", "vd/db1/1", "vd/db1/2", "cntlr/db1", "cntlr/db1");
        VirtualDiskSpec vd = (VirtualDiskSpec) h.nodeSpecs().get(0).spec();
        assertThat(vd.getAllowedHostNqn()).isEqualTo(NvmeNames.controllerHostNqn(Allocator.primaryOf(da)));
        assertThat(h.modelChanges()).extracting(ModelChange::key).containsExactly("disk-array/db1");
    }

    @Test
    void shouldRejectWhenCapacityIsInsufficientWithAnActionableMessage() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(3, 30 * GIB, "a");

        Handled h = f.when(TestCommands.createDiskArray("db1", 100 * GIB, 4, 1));

        assertThat(rejected(h).getReason()).isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        // 100 GiB over 4 virtual disks plus the array's own lvstore metadata: 25.0 GiB each
        assertThat(h.outcome().getMessage()).startsWith("disk array 'db1' needs 4 virtual disks of 25.0 GiB; only 3"
                + " physical disks on distinct disk nodes have 25.0 GiB free");
    }

    @Test
    void shouldNeverPlaceOnFailedOrOfflineNodesOrDisks() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(1, 4 * GIB, "a", "b", "c", "d")
                .given(TestCommands.setDiskNodeOffline("dn-a1", true),
                        TestCommands.setPhysicalDiskOffline("dn-b1", "pd1", true),
                        TestCommands.markNodeFailed("dn-c1", NodeKind.DISK_NODE),
                        TestCommands.markNodeFailed("cn1", NodeKind.CONTROLLER_NODE));

        assertThat(rejected(f.when(TestCommands.createDiskArray("db0", GIB, 2, 1))).getReason())
                .isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        Handled h = f.when(TestCommands.createDiskArray("db1", GIB, 1, 1));

        DiskArray da = ((DiskArrayCreated) h.events().get(0).event()).getDiskArray();
        assertThat(da.getVirtualDisks().get(0).getDnName()).isEqualTo("dn-d1");
        assertThat(Allocator.primaryOf(da)).isEqualTo("cn2");
        assertThat(rejected(f.when(TestCommands.createDiskArray("db2", GIB, 1, 2))).getReason())
                .isEqualTo(RejectReason.INSUFFICIENT_CONTROLLERS);
    }

    @Test
    void shouldReportAffectedArraysWhenANodeFailsAndPlaceThereAgainWhenItRecovers() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(1, 4 * GIB, "a")
                .given(TestCommands.createDiskArray("db1", GIB, 1, 1));

        Handled failed = f.when(TestCommands.markNodeFailed("dn-a1", NodeKind.DISK_NODE));
        assertThat(((NodeFailed) failed.events().get(0).event()).getAffectedDiskArrays()).containsExactly("db1");
        assertThat(rejected(f.when(TestCommands.createDiskArray("db2", GIB, 1, 1))).getReason())
                .isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);

        succeeded(f.when(TestCommands.markNodeRecovered("dn-a1", NodeKind.DISK_NODE)));
        succeeded(f.when(TestCommands.createDiskArray("db2", GIB, 1, 1)));
    }

    @Test
    void shouldRejectDeletingNodesAndDisksThatStillHostSomethingSayingWhat() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(1, 4 * GIB, "a")
                .given(TestCommands.createDiskArray("db1", GIB, 1, 1));

        Handled pd = f.when(TestCommands.deletePhysicalDisk("dn-a1", "pd1"));
        Handled dn = f.when(TestCommands.deleteDiskNode("dn-a1"));
        Handled cn = f.when(TestCommands.deleteControllerNode("cn1"));

        assertThat(rejected(pd).getReason()).isEqualTo(RejectReason.IN_USE);
        assertThat(pd.outcome().getMessage()).contains("'db1'");
        assertThat(rejected(dn).getMessage()).contains("pd1");
        assertThat(rejected(cn).getMessage()).contains("'db1'");
        assertThat(f.when(TestCommands.deleteControllerNode("cn2")).outcome().getMessage())
                .isEqualTo("controller node 'cn2' deleted");
    }

    @Test
    void shouldFailOverToAHealthySecondaryOnceAndRejectTheStaleRepeat() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(2, 4 * GIB, "a")
                .given(TestCommands.createDiskArray("db1", GIB, 2, 2))
                .given(TestCommands.createExporter("db1", "exp1", "nqn.2024-01.io.example:host1"));
        DiskArray before = f.model.diskArray("db1").orElseThrow();
        String oldPrimary = Allocator.primaryOf(before);
        f.given(TestCommands.markInitialized("db1", oldPrimary, 1, "lvs-uuid-1"),
                TestCommands.markNodeFailed(oldPrimary, NodeKind.CONTROLLER_NODE));

        Handled h = f.when(TestCommands.failover("db1", oldPrimary, 1));
        Handled again = f.when(TestCommands.failover("db1", oldPrimary, 1));

        ControllerFailedOver event = (ControllerFailedOver) h.events().get(0).event();
        String newPrimary = event.getNewPrimaryCnName();
        assertThat(newPrimary).isNotEqualTo(oldPrimary);
        assertThat(event.getDiskArray().getEpoch()).isEqualTo(2);
        List<VirtualDiskSpec> vds = specs(h, VirtualDiskSpec.class);
        assertThat(vds).hasSize(2).allSatisfy(vd -> {
            assertThat(vd.getAllowedHostNqn()).isEqualTo(NvmeNames.controllerHostNqn(newPrimary));
            assertThat(vd.getEpoch()).isEqualTo(2);
        });
        ControllerSpec promoted = h.nodeSpecs().stream()
                .filter(s -> s.nodeName().equals(newPrimary) && s.spec() instanceof ControllerSpec)
                .map(s -> (ControllerSpec) s.spec()).findFirst().orElseThrow();
        assertThat(promoted.getRole()).isEqualTo(ControllerRole.PRIMARY);
        assertThat(promoted.getLvstoreInitialized()).isTrue();
        assertThat(promoted.getLvstoreUuid()).isEqualTo("lvs-uuid-1");
        assertThat(h.nodeSpecs()).extracting(NodeSpecChange::objectKey).contains("exp/db1/exp1");
        assertThat(rejected(again).getReason()).isEqualTo(RejectReason.STALE);

        succeeded(f.when(TestCommands.markNodeRecovered(oldPrimary, NodeKind.CONTROLLER_NODE)));
        assertThat(f.model.diskArray("db1").orElseThrow().getControllers())
                .anySatisfy(c -> {
                    assertThat(c.getCnName()).isEqualTo(oldPrimary);
                    assertThat(c.getRole()).isEqualTo(ControllerRole.SECONDARY);
                });
    }

    @Test
    void shouldReEmitControllerSpecsWhenTheArrayIsInitialisedAndRefuseAnotherLvstore() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(1, 4 * GIB, "a")
                .given(TestCommands.createDiskArray("db1", GIB, 1, 2));
        String primary = Allocator.primaryOf(f.model.diskArray("db1").orElseThrow());

        assertThat(rejected(f.when(TestCommands.markInitialized("db1", "cn9", 1, "u1"))).getReason())
                .isEqualTo(RejectReason.STALE);
        Handled h = f.when(TestCommands.markInitialized("db1", primary, 1, "u1"));

        assertThat(eventTypes(h)).containsExactly("DiskArrayInitialized");
        assertThat(specs(h, ControllerSpec.class)).hasSize(2).allSatisfy(c -> assertThat(c.getLvstoreInitialized())
                .isTrue());
        assertThat(rejected(f.when(TestCommands.markInitialized("db1", primary, 1, "u2"))).getReason())
                .isEqualTo(RejectReason.CONFLICT);
    }

    @Test
    void shouldHonourTheVirtualDiskLimitPerDiskNode() {
        AllocatorFixture f = new AllocatorFixture(new AllocatorSettings(2)).givenCluster(1, 4 * GIB, "a");

        succeeded(f.when(TestCommands.createDiskArray("db1", 100 * MIB, 1, 1)));
        succeeded(f.when(TestCommands.createDiskArray("db2", 100 * MIB, 1, 1)));
        assertThat(rejected(f.when(TestCommands.createDiskArray("db3", 100 * MIB, 1, 1))).getReason())
                .isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        succeeded(f.when(TestCommands.deleteDiskArray("db1")));
        succeeded(f.when(TestCommands.createDiskArray("db3", 100 * MIB, 1, 1)));
    }

    @Test
    void shouldHonourTheSubsystemLimitPerControllerNode() {
        AllocatorFixture f = new AllocatorFixture(new AllocatorSettings(1024, 2)).givenCluster(2, 4 * GIB, "a")
                .given(TestCommands.createDiskArray("db1", GIB, 1, 2),
                        TestCommands.createExporter("db1", "exp1", "nqn.2024-01.io.example:host1"));

        Handled second = f.when(TestCommands.createExporter("db1", "exp2", "nqn.2024-01.io.example:host1"));
        Handled array = f.when(TestCommands.createDiskArray("db2", GIB, 1, 1));

        assertThat(rejected(second).getReason()).isEqualTo(RejectReason.INSUFFICIENT_CAPACITY);
        assertThat(second.outcome().getMessage()).contains("already holds 2");
        assertThat(rejected(array).getReason()).isEqualTo(RejectReason.INSUFFICIENT_CONTROLLERS);
        succeeded(f.when(new io.vda.schema.command.DeleteExporter(TestCommands.id(), TestCommands.T0, "db1", "exp1")));
        succeeded(f.when(TestCommands.createDiskArray("db2", GIB, 1, 1)));
        assertThat(f.model.controllerSubsystemCount("cn1") + f.model.controllerSubsystemCount("cn2")).isEqualTo(2);
    }

    @Test
    void shouldMakeTheSameDecisionsAfterRestoringFromTheStoredEntities() {
        AllocatorFixture f = new AllocatorFixture().givenCluster(3, 4 * GIB, "a", "b")
                .given(TestCommands.createDiskArray("db1", GIB, 3, 1), TestCommands.createDiskArray("db2", 2 * GIB, 2, 2),
                        TestCommands.markNodeFailed("dn-b2", NodeKind.DISK_NODE));
        List<SpecificRecord> stored = new ArrayList<>();
        // what a state store holds: the entities (rebuilt from the model's own view)
        f.model.diskNodes().forEach(stored::add);
        f.model.physicalDisks().forEach(stored::add);
        f.model.controllerNodes().forEach(stored::add);
        f.model.diskArrays().forEach(stored::add);
        stored.add(new NodeFailed(null, "dn-b2", NodeKind.DISK_NODE, TestCommands.T0, List.of()));

        ClusterModel restored = ClusterModel.restore(AllocatorSettings.defaults(), stored);

        var command = TestCommands.createDiskArray("db3", 3 * GIB, 3, 2);
        Decision original = Allocator.decide(f.model, command, TestCommands.T0);
        Decision again = Allocator.decide(restored, command, TestCommands.T0);
        assertThat(again).isEqualTo(original);
        Set<String> disks = f.model.physicalDisks().stream().map(p -> p.getDnName() + "/" + p.getPdName())
                .collect(Collectors.toSet());
        for (String disk : disks) {
            String[] dp = disk.split("/");
            assertThat(restored.freeBytes(dp[0], dp[1])).isEqualTo(f.model.freeBytes(dp[0], dp[1]));
        }
    }

    static <T> List<T> specs(Handled h, Class<T> type) {
        return h.nodeSpecs().stream().map(NodeSpecChange::spec).filter(type::isInstance).map(type::cast).toList();
    }
}
