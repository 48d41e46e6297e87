package io.vda.agent.reconcile;

import static io.vda.agent.testing.Specs.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.vda.agent.desired.DesiredStateStore;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.spdk.Bdev;
import io.vda.agent.spdk.ListenAddress;
import io.vda.agent.spdk.Lvstore;
import io.vda.agent.spdk.NamespaceSpec;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.spdk.NvmfTransport;
import io.vda.agent.spdk.QosLimits;
import io.vda.agent.spdk.RaidBdev;
import io.vda.agent.spdk.SubsystemSpec;
import io.vda.agent.testing.Specs;
import io.vda.schema.common.ControllerRole;
import io.vda.schema.naming.NvmeNames;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The planner, given desired + observed, without SPDK. */
class PlannerTest {
    private static final ListenAddress DN = ListenAddress.tcp("127.0.0.1", 4420);
    private static final ListenAddress CN = ListenAddress.tcp("127.0.0.2", 4420);
    private static final NodeContext DISK = new NodeContext("dn0", NodeContext.NodeRole.DISK, DN);
    private static final NodeContext CONTROLLER = new NodeContext("cn2", NodeContext.NodeRole.CONTROLLER, CN);
    private static final NvmfTransport TCP = new NvmfTransport("TCP", 128, 127, 4096, 131072, 131072);

    @Test
    void shouldBuildADiskNodeInDependencyOrderWhenSpdkIsEmpty() {
        DesiredStateStore d = new DesiredStateStore();
        d.apply("pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
        d.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn1", 1));

        Plan plan = Planner.plan(DISK, d.snapshot(), Observed.empty());

        String nqn = NvmeNames.virtualDiskNqn("db1", 0);
        String alias = "vda-lvs-pd0/vda-vd-db1_0";
        assertThat(plan.steps()).containsExactly(
                Step.of("node", new Step.CreateTransport("TCP")),
                Step.of("pd/pd0", new Step.CreateMallocBdev("vda-pd-pd0", 65536, 4096)),
                Step.of("pd/pd0", new Step.CreateLvstore("vda-pd-pd0", "vda-lvs-pd0")),
                Step.of("vd/db1/0", "pd/pd0", new Step.CreateLvol("vda-lvs-pd0", "vda-vd-db1_0", 64, false)),
                Step.of("vd/db1/0", "pd/pd0", new Step.CreateSubsystem(SubsystemSpec.of(nqn, null, null))),
                Step.of("vd/db1/0", "pd/pd0", new Step.AddNamespace(nqn, NamespaceSpec.of(alias))),
                Step.of("vd/db1/0", "pd/pd0", new Step.AddListener(nqn, DN)),
                Step.of("vd/db1/0", "pd/pd0", new Step.AddHost(nqn, NvmeNames.controllerHostNqn("cn1"))));
        assertThat(plan.blocked()).isEmpty();
    }

    @Test
    void shouldFenceTheOldPrimaryBeforeAdmittingTheNewOne() {
        DesiredStateStore d = new DesiredStateStore();
        d.apply("pd/pd0", Specs.mallocPd("pd0", 256 * MIB));
        d.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn2", 2));
        String nqn = NvmeNames.virtualDiskNqn("db1", 0);
        Observed o = Observed.of(List.of(bdev("vda-pd-pd0", List.of(), 256 * MIB),
                        lvol("uuid-1", "vda-lvs-pd0/vda-vd-db1_0", 64 * MIB)),
                List.of(new Lvstore("ls", "vda-lvs-pd0", "vda-pd-pd0", 63, 47, 4096, 4 * MIB)), List.of(), List.of(),
                List.of(subsystem(nqn, "uuid-1", NvmeNames.controllerHostNqn("cn1"))), List.of(TCP));

        Plan plan = Planner.plan(DISK, d.snapshot(), o);

        assertThat(plan.steps()).containsExactly(
                Step.of("vd/db1/0", new Step.RemoveHost(nqn, NvmeNames.controllerHostNqn("cn1"))),
                Step.of("vd/db1/0", "pd/pd0", new Step.AddHost(nqn, NvmeNames.controllerHostNqn("cn2"))));
    }

    @Test
    void shouldNeverFormatAnInitialisedArrayWhoseLvstoreIsNotFound() {
        DesiredStateStore d = new DesiredStateStore();
        var e2 = Specs.endpoint("cn2", Specs.listener("127.0.0.2", 4420));
        d.apply("cntlr/db1", Specs.controller("db1", "cn2", ControllerRole.PRIMARY, 2,
                List.of(Specs.listener("127.0.0.1", 4420)), 64 * MIB, e2, List.of(), true, "lvs-uuid"));
        Observed o = Observed.of(List.of(bdev("vda-vd-db1_0n1", List.of(), 64 * MIB),
                        bdev("vda-raid-db1", List.of(), 64 * MIB)), List.of(),
                List.of(new RaidBdev("vda-raid-db1", 64, "online", "raid0", 1, 1, List.of("vda-vd-db1_0n1"))),
                List.of(), List.of(), List.of(TCP));

        Plan plan = Planner.plan(CONTROLLER, d.snapshot(), o);

        assertThat(plan.steps()).filteredOn(s -> s.action() instanceof Step.CreateDiskArrayLvstore
                || s.action() instanceof Step.CreateLvstore || s.action() instanceof Step.CreateLvol).isEmpty();
        assertThat(plan.blocked().get("cntlr/db1").error()).isTrue();
        assertThat(plan.blocked().get("cntlr/db1").message()).contains("never formatting");
    }

    @Test
    void shouldCreateTheLvstoreOnceWhenNotInitialisedAndReportItWhenFound() {
        DesiredStateStore d = new DesiredStateStore();
        var e1 = Specs.endpoint("cn2", Specs.listener("127.0.0.2", 4420));
        d.apply("cntlr/db1", Specs.controller("db1", "cn2", ControllerRole.PRIMARY, 1,
                List.of(Specs.listener("127.0.0.1", 4420)), 64 * MIB, e1, List.of(), false, null));
        List<Bdev> bdevs = List.of(bdev("vda-vd-db1_0n1", List.of(), 64 * MIB), bdev("vda-raid-db1", List.of(), 64 * MIB));
        List<RaidBdev> raids = List.of(new RaidBdev("vda-raid-db1", 64, "online", "raid0", 1, 1,
                List.of("vda-vd-db1_0n1")));

        Plan fresh = Planner.plan(CONTROLLER, d.snapshot(), Observed.of(bdevs, List.of(), raids, List.of(),
                List.of(), List.of(TCP)));
        Plan found = Planner.plan(CONTROLLER, d.snapshot(), Observed.of(bdevs,
                List.of(new Lvstore("u-1", "vda-da-db1", "vda-raid-db1", 15, 15, 4096, 4 * MIB)), raids, List.of(),
                List.of(), List.of(TCP)));

        assertThat(fresh.steps()).contains(Step.of("cntlr/db1",
                new Step.CreateDiskArrayLvstore("db1", 1, "vda-raid-db1", "vda-da-db1")));
        assertThat(found.steps()).noneMatch(s -> s.action() instanceof Step.CreateDiskArrayLvstore);
        assertThat(found.initializations()).containsExactly(new Step.MarkInitialized("db1", 1, "u-1"));
    }

    @Test
    void shouldLeaveObjectsItDoesNotOwnAlone() {
        Observed o = Observed.of(List.of(bdev("Malloc0", List.of(), 64 * MIB)),
                List.of(new Lvstore("u", "lvs0", "Malloc0", 15, 15, 4096, 4 * MIB)), List.of(), List.of(),
                List.of(subsystem("nqn.2016-06.io.spdk:cnode1", "x", "nqn.2016-06.io.spdk:host")), List.of(TCP));

        assertThat(Planner.plan(DISK, new DesiredStateStore().snapshot(), o).steps()).isEmpty();
        assertThat(Planner.plan(CONTROLLER, new DesiredStateStore().snapshot(), o).steps()).isEmpty();
    }

    @Test
    void shouldMapOwnedNamesBackToObjectKeys() {
        assertThat(SpdkNames.objectKeyOf(SpdkNames.vdLvol("db-1", 12))).contains("vd/db-1/12");
        assertThat(SpdkNames.controllerObjectKeyOf(SpdkNames.vdAttachment("db-1", 3))).contains("cntlr/db-1");
        assertThat(SpdkNames.objectKeyOf(SpdkNames.primaryAttachment("db1", "exp-1"))).contains("exp/db1/exp-1");
        assertThat(SpdkNames.objectKeyOfNqn(NvmeNames.exporterNqn("db1", "e1"))).contains("exp/db1/e1");
        assertThat(SpdkNames.objectKeyOf("Malloc0")).isEmpty();
    }

    private static Bdev bdev(String name, List<String> aliases, long size) {
        return new Bdev(name, aliases, "Malloc disk", 4096, size / 4096, name + "-uuid", QosLimits.UNLIMITED,
                false, null, null);
    }

    private static Bdev lvol(String uuid, String alias, long size) {
        var ds = JsonNodeFactory.instance.objectNode();
        ds.putObject("lvol").put("thin_provision", false);
        return new Bdev(uuid, List.of(alias), "Logical Volume", 4096, size / 4096, uuid, QosLimits.UNLIMITED, true,
                "exclusive_write", ds);
    }

    private static NvmfSubsystem subsystem(String nqn, String bdevName, String host) {
        return new NvmfSubsystem(nqn, "NVMe", List.of(new NvmfSubsystem.Listener("TCP", "TCP", "IPv4", "127.0.0.1",
                "4420")), false, List.of(new NvmfSubsystem.Host(host)), "00000000000000000000", "SPDK bdev Controller",
                32, List.of(new NvmfSubsystem.Namespace(1, bdevName, bdevName, null, null)));
    }
}
