package io.vda.agent.spdk;

import static io.vda.agent.spdk.Errors.assertReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vda.infra.spdk.SpdkEmulatorProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole data path across emulator processes, one per node, each on its own loopback address:
 * DN1 and DN2 export a VD each; the primary CN attaches both, builds raid0 -> lvstore -> volume and exports it;
 * a secondary CN attaches that export and re-exports it under the same identity; then everything is torn down
 * in reverse order. A second scenario kills the primary's process and fails over.
 */
@Timeout(120)
class SpdkDataPathIT {
    private static final long MIB = 1 << 20;
    private static final String CN1_HOST = "nqn.2016-06.io.vda:cn1";
    private static final String CN2_HOST = "nqn.2016-06.io.vda:cn2";
    private static final String INITIATOR = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final String EXP_NQN = "nqn.2016-06.io.vda:exp-da0";
    private static final String EXP_NS_UUID = "6f1b6a4e-1c55-4d7b-9e0f-3c2a1b0d9e8f";

    @TempDir
    Path dir;

    private final List<SpdkEmulatorProcess> processes = new ArrayList<>();
    private final List<SpdkClient> clients = new ArrayList<>();
    private SpdkClient dn1;
    private SpdkClient dn2;
    private SpdkClient cn1;
    private SpdkClient cn2;
    private SpdkEmulatorProcess cn1Process;

    private SpdkClient client(String name) {
        SpdkClient c = SpdkClient.connect(dir.resolve(name + ".sock"), Duration.ofSeconds(10));
        clients.add(c);
        return c;
    }

    private CompletableFuture<SpdkEmulatorProcess> launch(String name, String address) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return SpdkEmulatorProcess.start(dir.resolve(name + ".sock"), address, dir.resolve(name + ".log"),
                        Duration.ofSeconds(60));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    @BeforeEach
    void startNodes() {
        // One JVM per node, started together: each node is a separate process, as in production.
        var starting = List.of(launch("dn1", "127.0.0.2"), launch("dn2", "127.0.0.3"), launch("cn1", "127.0.0.4"),
                launch("cn2", "127.0.0.5"));
        starting.forEach(f -> processes.add(f.join()));
        cn1Process = processes.get(2);
        dn1 = client("dn1");
        dn2 = client("dn2");
        cn1 = client("cn1");
        cn2 = client("cn2");
    }

    @AfterEach
    void stopNodes() {
        clients.forEach(SpdkClient::close);
        processes.forEach(SpdkEmulatorProcess::close);
    }

    private static int port() throws Exception {
        return SpdkClientNvmfTest.freePort();
    }

    /** DN: malloc PD -> lvstore -> thick VD, exported to one allowed host. */
    private static ListenAddress exportVd(SpdkClient dn, String address, String vd, long vdMib, String host)
            throws Exception {
        dn.createMallocBdev("pd0", 65536, 4096);
        dn.createLvstore("pd0", "lvs_pd0", 4 * MIB, "none");
        dn.createLvol("lvs_pd0", vd, vdMib, false);
        dn.setQosLimit("lvs_pd0/" + vd, new QosLimits(10000, 0, 0, 0));
        dn.createTransport("TCP");
        String nqn = "nqn.2016-06.io.vda:" + vd;
        dn.createSubsystem(SubsystemSpec.of(nqn, "VD" + vd, "VDA VD"));
        dn.addHost(nqn, host);
        dn.addNamespace(nqn, NamespaceSpec.of("lvs_pd0/" + vd));
        ListenAddress l = ListenAddress.tcp(address, port());
        dn.addListener(nqn, l);
        return l;
    }

    private static void attachVds(SpdkClient cn, String host, ListenAddress l0, ListenAddress l1) {
        assertEquals(List.of("vd0n1"), cn.attachController(AttachControllerRequest.tcp("vd0", l0,
                "nqn.2016-06.io.vda:vd0", host)));
        assertEquals(List.of("vd1n1"), cn.attachController(AttachControllerRequest.tcp("vd1", l1,
                "nqn.2016-06.io.vda:vd1", host)));
    }

    private static ListenAddress export(SpdkClient cn, String bdev, String address, List<String> hosts)
            throws Exception {
        cn.createTransport("TCP");
        cn.createSubsystem(SubsystemSpec.of(EXP_NQN, "VDAEXP0000000001", "VDA DA"));
        hosts.forEach(h -> cn.addHost(EXP_NQN, h));
        cn.addNamespace(EXP_NQN, NamespaceSpec.of(bdev).withUuid(EXP_NS_UUID));
        ListenAddress l = ListenAddress.tcp(address, port());
        cn.addListener(EXP_NQN, l);
        return l;
    }

    @Test
    void shouldBuildDataPathAcrossNodesAndLeaveNothingWhenTornDownInReverse() throws Exception {
        // Given two DNs exporting a 64 MiB and a 96 MiB VD to the primary CN
        ListenAddress l0 = exportVd(dn1, "127.0.0.2", "vd0", 64, CN1_HOST);
        ListenAddress l1 = exportVd(dn2, "127.0.0.3", "vd1", 96, CN1_HOST);
        assertEquals(63 - 16, dn1.getLvstore("lvs_pd0").orElseThrow().freeClusters());

        // When the primary builds raid0 -> lvstore -> volume and exports it, and the secondary re-exports it
        attachVds(cn1, CN1_HOST, l0, l1);
        assertEquals(64 * MIB, cn1.getBdev("vd0n1").orElseThrow().sizeBytes());
        assertEquals(96 * MIB, cn1.getBdev("vd1n1").orElseThrow().sizeBytes());
        cn1.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd0n1", "vd1n1"));
        cn1.createLvstore("da0", "lvs_da0", 4 * MIB, "none");
        String volume = cn1.createLvol("lvs_da0", "main", 100, true);
        ListenAddress primary = export(cn1, "lvs_da0/main", "127.0.0.4", List.of(INITIATOR, CN2_HOST));
        assertEquals(List.of("exp0n1"), cn2.attachController(AttachControllerRequest.tcp("exp0", primary, EXP_NQN,
                CN2_HOST)));
        ListenAddress secondary = export(cn2, "exp0n1", "127.0.0.5", List.of(INITIATOR));

        // Then sizes and identities are right at every level
        assertEquals(128 * MIB, cn1.getBdev("da0").orElseThrow().sizeBytes());
        Lvstore lvs = cn1.getLvstore("lvs_da0").orElseThrow();
        assertEquals(31, lvs.totalDataClusters());
        assertEquals(100 * MIB, cn1.getBdev(volume).orElseThrow().sizeBytes());
        Bdev remote = cn2.getBdev("exp0n1").orElseThrow();
        assertEquals(100 * MIB, remote.sizeBytes());
        assertEquals(EXP_NS_UUID, remote.uuid());
        NvmfSubsystem p = cn1.getSubsystem(EXP_NQN).orElseThrow();
        NvmfSubsystem s = cn2.getSubsystem(EXP_NQN).orElseThrow();
        assertEquals(p.serialNumber(), s.serialNumber());
        assertEquals(EXP_NS_UUID, p.namespaces().get(0).uuid());
        assertEquals(EXP_NS_UUID, s.namespaces().get(0).uuid());
        assertEquals(List.of(INITIATOR, CN2_HOST), p.hostNqns());
        assertEquals(List.of(INITIATOR), s.hostNqns());
        assertEquals(secondary, s.listenAddresses().get(0).address());
        assertEquals(1, dn1.getSubsystem("nqn.2016-06.io.vda:vd0").orElseThrow().namespaces().size());
        assertEquals(10000, dn1.getBdev("lvs_pd0/vd0").orElseThrow().assignedRateLimits().rwIosPerSec());
        assertReason(SpdkErrorReason.REJECTED, () -> cn1.attachController(AttachControllerRequest.tcp("loop",
                secondary, EXP_NQN, CN1_HOST)));

        // When torn down in reverse order
        cn2.deleteSubsystem(EXP_NQN);
        cn2.detachController("exp0");
        cn1.deleteSubsystem(EXP_NQN);
        cn1.deleteLvol("lvs_da0/main");
        cn1.deleteLvstore("lvs_da0");
        cn1.deleteRaid("da0");
        cn1.detachController("vd0");
        cn1.detachController("vd1");
        for (SpdkClient dn : List.of(dn1, dn2)) {
            String vd = dn == dn1 ? "vd0" : "vd1";
            dn.deleteSubsystem("nqn.2016-06.io.vda:" + vd);
            dn.deleteLvol("lvs_pd0/" + vd);
            dn.deleteLvstore("lvs_pd0");
            dn.deleteMallocBdev("pd0");
        }

        // Then nothing is left behind on any node
        for (SpdkClient node : List.of(dn1, dn2, cn1, cn2)) {
            assertTrue(node.getBdevs().isEmpty());
            assertTrue(node.getLvstores().isEmpty());
            assertTrue(node.getRaids("all").isEmpty());
            assertTrue(node.getControllers().isEmpty());
            assertEquals(1, node.getSubsystems().size());
        }
    }

    @Test
    void shouldFindArrayAndMarkerOnSecondaryWhenPrimaryProcessIsKilled() throws Exception {
        // Given the primary's array with a marker on the volume
        ListenAddress l0 = exportVd(dn1, "127.0.0.2", "vd0", 64, CN1_HOST);
        ListenAddress l1 = exportVd(dn2, "127.0.0.3", "vd1", 64, CN1_HOST);
        attachVds(cn1, CN1_HOST, l0, l1);
        cn1.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd0n1", "vd1n1"));
        String lvsUuid = cn1.createLvstore("da0", "lvs_da0", 4 * MIB, "none");
        cn1.createLvol("lvs_da0", "main", 100, true);
        cn1.setLvolXattr("lvs_da0/main", "vda.initialised", "da0");

        // When the primary's process dies and the DNs re-fence to the secondary, which assembles the array
        cn1Process.kill();
        for (SpdkClient dn : List.of(dn1, dn2)) {
            String nqn = "nqn.2016-06.io.vda:" + (dn == dn1 ? "vd0" : "vd1");
            dn.removeHost(nqn, CN1_HOST);
            dn.addHost(nqn, CN2_HOST);
        }
        attachVds(cn2, CN2_HOST, l0, l1);
        cn2.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd0n1", "vd1n1"));
        cn2.waitForExamine();

        // Then the array's lvstore, volume and marker are there, and writing works
        assertEquals(lvsUuid, cn2.getLvstore("lvs_da0").orElseThrow().uuid());
        assertEquals("da0", cn2.getLvolXattr("lvs_da0/main", "vda.initialised").orElseThrow());
        cn2.setLvolXattr("lvs_da0/main", "vda.epoch", "2");
    }
}
