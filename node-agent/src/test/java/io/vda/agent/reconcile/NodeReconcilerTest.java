package io.vda.agent.reconcile;

import static io.vda.agent.testing.Specs.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.vda.agent.desired.DesiredStateStore;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.reconcile.PassReport.State;
import io.vda.agent.spdk.ListenAddress;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.testing.EmulatedSpdk;
import io.vda.agent.testing.Specs;
import io.vda.schema.RecordKeys;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.common.NodeKind;
import io.vda.schema.naming.NvmeNames;
import io.vda.schema.state.ControllerEndpoint;
import io.vda.schema.state.ControllerSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reconcile passes against in-process emulated SPDK targets (no Kafka): the data path of data-path.md. */
class NodeReconcilerTest {

    @TempDir
    Path dir;

    private static NodeContext ctx(String node, NodeContext.NodeRole role, EmulatedSpdk spdk) {
        return new NodeContext(node, role, ListenAddress.tcp("127.0.0.1", spdk.port));
    }

    @Test
    void shouldBuildDiskNodeThenDoNothingThenRepairDriftThenTearDownInReverseOrder() throws Exception {
        try (EmulatedSpdk dn = EmulatedSpdk.start(dir, "dn0")) {
            // Given a disk node's desired state: one malloc PD, two VDs of db1 fenced to cn1.
            DesiredStateStore store = new DesiredStateStore();
            store.apply("pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
            store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn1", 1));
            store.apply("vd/db1/1", Specs.vd("db1", 1, "pd0", 64 * MIB, "cn1", 1, true,
                    io.vda.schema.common.QosLimits.newBuilder().setRwIosPerSec(10_000).setWMbytesPerSec(100).build()));
            NodeReconciler reconciler = new NodeReconciler(ctx("dn0", NodeContext.NodeRole.DISK, dn), dn.client,
                    (da, e, u) -> { });

            // When the agent reconciles from empty
            PassReport first = reconciler.reconcile(store.snapshot(), Trigger.STARTUP);

            // Then every object is OK and SPDK holds PD bdev → lvstore → lvols → one subsystem per VD, one host
            assertThat(first.objects()).allSatisfy((k, r) -> assertThat(r.state()).as(k).isEqualTo(State.OK));
            assertThat(dn.client.getLvstore(SpdkNames.pdLvstore("pd0"))).isPresent();
            NvmfSubsystem s0 = dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db1", 0)).orElseThrow();
            assertThat(s0.hostNqns()).containsExactly(NvmeNames.controllerHostNqn("cn1"));
            assertThat(s0.allowAnyHost()).isFalse();
            assertThat(s0.namespaces()).hasSize(1);
            assertThat(first.lvstores()).hasSize(1);
            var vd1 = dn.client.getBdev("vda-lvs-pd0/vda-vd-db1_1").orElseThrow();
            assertThat(vd1.assignedRateLimits().rwIosPerSec()).isEqualTo(10_000);
            assertThat(vd1.assignedRateLimits().wMbytesPerSec()).isEqualTo(100);
            assertThat(vd1.driverSpecific().path("lvol").path("thin_provision").asBoolean()).isTrue();

            // When nothing changed, a pass makes no mutating call
            dn.clearCalls();
            PassReport idle = reconciler.reconcile(store.snapshot(), Trigger.TIMER);
            assertThat(idle.mutatingCalls()).isZero();
            assertThat(dn.mutatingCalls()).isEmpty();

            // When a subsystem is deleted behind the agent's back, the next pass re-creates it
            dn.client.deleteSubsystem(NvmeNames.virtualDiskNqn("db1", 1));
            reconciler.reconcile(store.snapshot(), Trigger.TIMER);
            assertThat(dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db1", 1))).isPresent();

            // When the primary changes, the fence switches: old host removed before the new one is added
            store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn2", 2));
            dn.clearCalls();
            reconciler.reconcile(store.snapshot(), Trigger.EVENT);
            assertThat(dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db1", 0)).orElseThrow().hostNqns())
                    .containsExactly(NvmeNames.controllerHostNqn("cn2"));
            assertThat(dn.mutatingCalls()).containsExactly("nvmf_subsystem_remove_host", "nvmf_subsystem_add_host");

            // When the desired records are removed, teardown runs in reverse order and reports DELETED
            store.apply("vd/db1/0", null);
            store.apply("vd/db1/1", null);
            store.apply("pd/pd0", null);
            dn.clearCalls();
            PassReport teardown = reconciler.reconcile(store.snapshot(), Trigger.EVENT);
            assertThat(teardown.objects()).containsOnlyKeys("pd/pd0", "vd/db1/0", "vd/db1/1")
                    .allSatisfy((k, r) -> assertThat(r.state()).isEqualTo(State.DELETED));
            assertThat(dn.mutatingCalls()).containsExactly("nvmf_delete_subsystem", "nvmf_delete_subsystem",
                    "bdev_lvol_delete", "bdev_lvol_delete", "bdev_lvol_delete_lvstore", "bdev_malloc_delete");
            assertThat(dn.client.getBdevs()).isEmpty();
        }
    }

    @Test
    void shouldReportSpdkDownWhenItsSocketIsMissing() {
        try (var client = io.vda.agent.spdk.SpdkClient.connect(dir.resolve("none.sock"), java.time.Duration.ofSeconds(1))) {
            DesiredStateStore store = new DesiredStateStore();
            store.apply("pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
            NodeReconciler reconciler = new NodeReconciler(new NodeContext("dn0", NodeContext.NodeRole.DISK,
                    ListenAddress.tcp("127.0.0.1", 4420)), client, (da, e, u) -> { });

            PassReport report = reconciler.reconcile(store.snapshot(), Trigger.STARTUP);

            assertThat(report.spdkReachable()).isFalse();
            assertThat(report.message()).isNotBlank();
            assertThat(report.objects()).isEmpty();
        }
    }

    @Test
    void shouldReportAnSpdkErrorOnItsObjectAndConvergeTheOthers() throws Exception {
        try (EmulatedSpdk dn = EmulatedSpdk.start(dir, "dn0")) {
            DesiredStateStore store = new DesiredStateStore();
            store.apply("pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
            store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn1", 1));
            store.apply("vd/db2/0", Specs.vd("db2", 0, "pd0", 10_000 * MIB, "cn1", 1)); // does not fit
            store.apply("vd/db3/0", Specs.vd("db3", 0, "pd0", 64 * MIB, "cn1", 1));
            // (with calls of different objects pipelined on the connection)
            NodeReconciler reconciler = new NodeReconciler(ctx("dn0", NodeContext.NodeRole.DISK, dn), dn.client,
                    (da, e, u) -> { }, 8);

            PassReport report = reconciler.reconcile(store.snapshot(), Trigger.STARTUP);

            assertThat(report.objects().get("vd/db2/0").state()).isEqualTo(State.ERROR);
            assertThat(report.objects().get("vd/db2/0").message()).contains("No space left on device");
            assertThat(report.objects().get("vd/db1/0").state()).isEqualTo(State.OK);
            assertThat(report.objects().get("vd/db3/0").state()).isEqualTo(State.OK);
            assertThat(dn.client.getSubsystem(NvmeNames.virtualDiskNqn("db3", 0))).isPresent();
        }
    }

    @Test
    void shouldBuildPrimaryAndSecondaryAndKeepTheLvstoreAcrossFailover() throws Exception {
        try (EmulatedSpdk dn0 = EmulatedSpdk.start(dir, "dn0"); EmulatedSpdk dn1 = EmulatedSpdk.start(dir, "dn1");
                EmulatedSpdk cn1 = EmulatedSpdk.start(dir, "cn1"); EmulatedSpdk cn2 = EmulatedSpdk.start(dir, "cn2")) {
            List<EmulatedSpdk> dns = List.of(dn0, dn1);
            List<DesiredStateStore> dnStores = new ArrayList<>();
            List<NodeReconciler> dnAgents = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                DesiredStateStore s = new DesiredStateStore();
                s.apply("pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
                s.apply("vd/db1/" + i, Specs.vd("db1", i, "pd0", 128 * MIB, "cn1", 1));
                dnStores.add(s);
                dnAgents.add(new NodeReconciler(ctx("dn" + i, NodeContext.NodeRole.DISK, dns.get(i)),
                        dns.get(i).client, (da, e, u) -> { }));
            }
            ControllerEndpoint e1 = Specs.endpoint("cn1", cn1.listener());
            ControllerEndpoint e2 = Specs.endpoint("cn2", cn2.listener());
            var vdListeners = List.of(dn0.listener(), dn1.listener());
            String host = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
            List<String> initialized = new ArrayList<>();
            DesiredStateStore cn1Store = new DesiredStateStore();
            cn1Store.apply("cntlr/db1", Specs.controller("db1", "cn1", ControllerRole.PRIMARY, 1, vdListeners,
                    128 * MIB, e1, List.of(e2), false, null));
            cn1Store.apply("exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.PRIMARY, 1, host));
            DesiredStateStore cn2Store = new DesiredStateStore();
            cn2Store.apply("cntlr/db1", Specs.controller("db1", "cn2", ControllerRole.SECONDARY, 1, vdListeners,
                    128 * MIB, e1, List.of(e2), false, null));
            cn2Store.apply("exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.SECONDARY, 1, host));
            NodeReconciler cn1Agent = new NodeReconciler(ctx("cn1", NodeContext.NodeRole.CONTROLLER, cn1), cn1.client,
                    (da, e, u) -> initialized.add(da + "/" + u));
            NodeReconciler cn2Agent = new NodeReconciler(ctx("cn2", NodeContext.NodeRole.CONTROLLER, cn2), cn2.client,
                    (da, e, u) -> initialized.add("cn2:" + da + "/" + u));

            // When disk nodes, then the primary, then the secondary converge
            for (int i = 0; i < 2; i++) {
                dnAgents.get(i).reconcile(dnStores.get(i).snapshot(), Trigger.STARTUP);
            }
            PassReport p1 = cn1Agent.reconcile(cn1Store.snapshot(), Trigger.STARTUP);
            PassReport s1 = cn2Agent.reconcile(cn2Store.snapshot(), Trigger.STARTUP);

            // Then the primary has raid → lvstore (created once, reported) → volume → exporter; the secondary
            // re-exports the primary's export under the same NQN, serial and namespace uuid
            assertThat(p1.objects()).allSatisfy((k, r) -> assertThat(r.state()).as(k + " " + r).isEqualTo(State.OK));
            assertThat(s1.objects()).allSatisfy((k, r) -> assertThat(r.state()).as(k + " " + r).isEqualTo(State.OK));
            String lvsUuid = cn1.client.getLvstore(SpdkNames.daLvstore("db1")).orElseThrow().uuid();
            assertThat(initialized).isNotEmpty().containsOnly("db1/" + lvsUuid); // the publisher sends it once
            String nqn = NvmeNames.exporterNqn("db1", "exp1");
            NvmfSubsystem onPrimary = cn1.client.getSubsystem(nqn).orElseThrow();
            NvmfSubsystem onSecondary = cn2.client.getSubsystem(nqn).orElseThrow();
            assertThat(onSecondary.serialNumber()).isEqualTo(onPrimary.serialNumber())
                    .isEqualTo(NvmeNames.exporterSerialNumber("db1", "exp1"));
            assertThat(onPrimary.namespaces().get(0).uuid()).isEqualTo(onSecondary.namespaces().get(0).uuid())
                    .isEqualTo(NvmeNames.exporterNamespaceUuid("db1", "exp1"));
            assertThat(onPrimary.hostNqns()).containsExactlyInAnyOrder(host, NvmeNames.controllerHostNqn("cn2"));
            assertThat(onSecondary.hostNqns()).containsExactly(host);

            // When the primary's SPDK restarts (its state lost) once the allocator recorded the lvstore, the agent
            // re-assembles the array and finds the same lvstore: it never creates one
            cn1Store.apply("cntlr/db1", Specs.controller("db1", "cn1", ControllerRole.PRIMARY, 1, vdListeners,
                    128 * MIB, e1, List.of(e2), true, lvsUuid));
            cn1.restart();
            PassReport afterRestart = cn1Agent.reconcile(cn1Store.snapshot(), Trigger.TIMER);
            assertThat(afterRestart.objects()).allSatisfy((k, r) -> assertThat(r.state()).as(k + " " + r)
                    .isEqualTo(State.OK));
            assertThat(cn1.calls()).contains("bdev_raid_create").doesNotContain("bdev_lvol_create_lvstore");
            assertThat(cn1.client.getLvstore(SpdkNames.daLvstore("db1")).orElseThrow().uuid()).isEqualTo(lvsUuid);
            cn2Agent.reconcile(cn2Store.snapshot(), Trigger.TIMER);

            // When a controller agent restarts with SPDK's state intact, it makes no mutating call
            cn1.clearCalls();
            cn2.clearCalls();
            PassReport restartedPrimary = new NodeReconciler(ctx("cn1", NodeContext.NodeRole.CONTROLLER, cn1),
                    cn1.client, (da, e, u) -> { }).reconcile(cn1Store.snapshot(), Trigger.STARTUP);
            PassReport restartedSecondary = new NodeReconciler(ctx("cn2", NodeContext.NodeRole.CONTROLLER, cn2),
                    cn2.client, (da, e, u) -> { }).reconcile(cn2Store.snapshot(), Trigger.STARTUP);
            assertThat(restartedPrimary.mutatingCalls() + restartedSecondary.mutatingCalls()).isZero();
            assertThat(cn1.mutatingCalls()).isEmpty();
            assertThat(cn2.mutatingCalls()).isEmpty();

            // Given a marker in the array's lvol metadata, written through the primary
            cn1.client.setLvolXattr(SpdkNames.daVolumeAlias("db1"), "marker", "written-before-failover");

            // When cn1 fails over to cn2: the disk nodes fence first, then cn2 becomes primary, cn1 secondary
            for (int i = 0; i < 2; i++) {
                dnStores.get(i).apply("vd/db1/" + i, Specs.vd("db1", i, "pd0", 128 * MIB, "cn2", 2));
                dnAgents.get(i).reconcile(dnStores.get(i).snapshot(), Trigger.EVENT);
            }
            ControllerSpec cn2Primary = Specs.controller("db1", "cn2", ControllerRole.PRIMARY, 2, vdListeners,
                    128 * MIB, e2, List.of(e1), true, lvsUuid);
            cn2Store.apply("cntlr/db1", cn2Primary);
            cn2Store.apply("exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.PRIMARY, 2, host));
            cn2.clearCalls();
            PassReport p2 = cn2Agent.reconcile(cn2Store.snapshot(), Trigger.EVENT);
            cn1Store.apply("cntlr/db1", Specs.controller("db1", "cn1", ControllerRole.SECONDARY, 2, vdListeners,
                    128 * MIB, e2, List.of(e1), true, lvsUuid));
            cn1Store.apply("exp/db1/exp1", Specs.exporter("db1", "exp1", ControllerRole.SECONDARY, 2, host));
            PassReport s2 = cn1Agent.reconcile(cn1Store.snapshot(), Trigger.EVENT);

            // Then the new primary found the same lvstore (never created one) and the marker is still there
            assertThat(p2.objects()).allSatisfy((k, r) -> assertThat(r.state()).as(k + " " + r).isEqualTo(State.OK));
            assertThat(s2.objects()).allSatisfy((k, r) -> assertThat(r.state()).as(k + " " + r).isEqualTo(State.OK));
            assertThat(cn2.calls()).doesNotContain("bdev_lvol_create_lvstore");
            assertThat(cn2.client.getLvstore(SpdkNames.daLvstore("db1")).orElseThrow().uuid()).isEqualTo(lvsUuid);
            assertThat(cn2.client.getLvolXattr(SpdkNames.daVolumeAlias("db1"), "marker"))
                    .contains("written-before-failover");
            assertThat(cn1.client.getRaids("all")).isEmpty();
            assertThat(cn1.client.getSubsystem(nqn).orElseThrow().namespaces().get(0).uuid())
                    .isEqualTo(NvmeNames.exporterNamespaceUuid("db1", "exp1"));

            // And a stale epoch-1 record for the array is ignored by the new primary
            cn2Store.apply("cntlr/db1", Specs.controller("db1", "cn2", ControllerRole.SECONDARY, 1, vdListeners,
                    128 * MIB, e1, List.of(e2), false, null));
            assertThat(cn2Store.snapshot().controllers().get(RecordKeys.controllerObject("db1")).getRole())
                    .isEqualTo(ControllerRole.PRIMARY);
        }
    }
}
