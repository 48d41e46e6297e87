package io.vda.agent.spdk;

import static io.vda.agent.spdk.Errors.assertReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What survives as on SPDK: lvstores on aio files across restarts (not on malloc), and an lvstore on a raid of
 * remote VDs across a controller failover, with the agent's marker xattr.
 */
class SpdkPersistenceTest {
    private static final long MIB = 1 << 20;
    private static final String CN1 = "nqn.2016-06.io.spdk:cn1";
    private static final String CN2 = "nqn.2016-06.io.spdk:cn2";

    @TempDir
    Path dir;

    private Path sparseFile(String name, long bytes) throws Exception {
        Path f = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(bytes);
        }
        return f;
    }

    @Test
    void shouldFindAioLvstoreWithSameIdentityWhenTargetRestarts() throws Exception {
        // Given an aio PD and a malloc PD with lvstores, lvols and a marker
        Path file = sparseFile("pd.img", 128 * MIB);
        String lvsUuid;
        String thick;
        String thin;
        try (EmulatedNode node = EmulatedNode.start(dir, "dn")) {
            SpdkClient spdk = node.client;
            spdk.createAioBdev("aio_p", file.toString(), 4096);
            lvsUuid = spdk.createLvstore("aio_p", "lvs_a", 4 * MIB, "none");
            thick = spdk.createLvol("lvs_a", "lva_thick", 32, false);
            thin = spdk.createLvol("lvs_a", "lva_thin", 64, true);
            spdk.setLvolXattr("lvs_a/lva_thick", "vda.marker", "epoch-7");
            spdk.createMallocBdev("pdm", 16384, 4096);
            spdk.createLvstore("pdm", "lvs_m", 4 * MIB, "none");
        }

        // When the target starts again and the bdevs are re-created
        try (EmulatedNode node = EmulatedNode.start(dir, "dn")) {
            SpdkClient spdk = node.client;
            assertTrue(spdk.getBdevs().isEmpty());
            spdk.createAioBdev("aio_p", file.toString(), 4096);
            spdk.createMallocBdev("pdm", 16384, 4096);
            spdk.waitForExamine();

            // Then the aio lvstore is back, the malloc one is not
            List<Lvstore> stores = spdk.getLvstores();
            assertEquals(1, stores.size());
            assertEquals(lvsUuid, stores.get(0).uuid());
            assertEquals(31, stores.get(0).totalDataClusters());
            assertEquals(23, stores.get(0).freeClusters());
            assertEquals(thick, spdk.getBdev("lvs_a/lva_thick").orElseThrow().uuid());
            assertEquals(thin, spdk.getBdev("lvs_a/lva_thin").orElseThrow().uuid());
            assertEquals("epoch-7", spdk.getLvolXattr("lvs_a/lva_thick", "vda.marker").orElseThrow());
            assertTrue(spdk.getLvolXattr("lvs_a/lva_thin", "vda.marker").isEmpty());
            assertTrue(spdk.getBdev("aio_p").orElseThrow().claimed());
        }
    }

    @Test
    void shouldNotFindLvstoreWhenItWasDeletedBeforeRestart() throws Exception {
        // Given
        Path file = sparseFile("pd.img", 64 * MIB);
        try (EmulatedNode node = EmulatedNode.start(dir, "dn")) {
            node.client.createAioBdev("aio_p", file.toString(), 4096);
            node.client.createLvstore("aio_p", "lvs_a", 4 * MIB, "none");
            node.client.deleteLvstore("lvs_a");
        }

        // When
        try (EmulatedNode node = EmulatedNode.start(dir, "dn")) {
            node.client.createAioBdev("aio_p", file.toString(), 4096);

            // Then
            assertTrue(node.client.getLvstores().isEmpty());
            assertTrue(!node.client.getBdev("aio_p").orElseThrow().claimed());
        }
    }

    @Test
    void shouldFindLvstoreOnlyThroughExamineWhenAutoExamineIsOff() throws Exception {
        // Given an lvstore written to an aio file
        Path file = sparseFile("pd.img", 64 * MIB);
        String lvsUuid;
        try (EmulatedNode node = EmulatedNode.start(dir, "dn")) {
            node.client.createAioBdev("aio_p", file.toString(), 4096);
            lvsUuid = node.client.createLvstore("aio_p", "lvs_a", 4 * MIB, "none");
        }

        // When a target without auto-examine re-creates the aio bdev
        var config = new io.vda.infra.spdk.SpdkEmulatorConfig(dir.resolve("dn.sock"), "127.0.0.1", false);
        try (EmulatedNode node = EmulatedNode.start(config)) {
            node.client.createAioBdev("aio_p", file.toString(), 4096);
            assertTrue(node.client.getLvstores().isEmpty());
            node.client.examine("aio_p");

            // Then the lvstore is found by bdev_examine
            assertEquals(lvsUuid, node.client.getLvstore("lvs_a").orElseThrow().uuid());
            assertReason(SpdkErrorReason.NOT_FOUND, () -> node.client.examine("ghost"));
        }
    }

    /** A DN with an aio PD exporting one thick VD to the given host; idempotent, as after a DN restart. */
    private static ListenAddress exportVd(EmulatedNode dn, Path pd, String vd, String host) throws Exception {
        SpdkClient spdk = dn.client;
        String pdName = "pd_" + vd;
        String lvs = "lvs_" + vd;
        spdk.createAioBdev(pdName, pd.toString(), 4096);
        spdk.waitForExamine();
        if (spdk.getLvstore(lvs).isEmpty()) {
            spdk.createLvstore(pdName, lvs, 4 * MIB, "none");
        }
        if (spdk.getBdev(lvs + "/" + vd).isEmpty()) {
            spdk.createLvol(lvs, vd, 64, false);
        }
        if (spdk.getTransports().isEmpty()) {
            spdk.createTransport("TCP");
        }
        String nqn = "nqn.2016-06.io.spdk:" + vd;
        spdk.createSubsystem(SubsystemSpec.of(nqn, null, null));
        spdk.addHost(nqn, host);
        spdk.addNamespace(nqn, NamespaceSpec.of(lvs + "/" + vd));
        ListenAddress l = ListenAddress.tcp("127.0.0.1", SpdkClientNvmfTest.freePort());
        spdk.addListener(nqn, l);
        return l;
    }

    private static void attach(EmulatedNode cn, String host, ListenAddress l0, ListenAddress l1) {
        cn.client.attachController(AttachControllerRequest.tcp("vd0", l0, "nqn.2016-06.io.spdk:vd0", host));
        cn.client.attachController(AttachControllerRequest.tcp("vd1", l1, "nqn.2016-06.io.spdk:vd1", host));
    }

    @Test
    void shouldFindArrayLvstoreAndMarkerOnNewPrimaryWhenSameMembersAreAssembled() throws Exception {
        // Given two DNs on aio PDs exporting a VD each to CN1, which builds raid0 -> lvstore -> volume + marker
        Path pd1 = sparseFile("dn1.img", 256 * MIB);
        Path pd2 = sparseFile("dn2.img", 256 * MIB);
        EmulatedNode dn1 = EmulatedNode.start(dir, "dn1");
        EmulatedNode dn2 = EmulatedNode.start(dir, "dn2");
        ListenAddress l0 = exportVd(dn1, pd1, "vd0", CN1);
        ListenAddress l1 = exportVd(dn2, pd2, "vd1", CN1);
        String lvsUuid;
        String volume;
        try (EmulatedNode cn1 = EmulatedNode.start(dir, "cn1")) {
            attach(cn1, CN1, l0, l1);
            cn1.client.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd0n1", "vd1n1"));
            lvsUuid = cn1.client.createLvstore("da0", "lvs_da0", 4 * MIB, "none");
            volume = cn1.client.createLvol("lvs_da0", "main", 100, true);
            cn1.client.setLvolXattr("lvs_da0/main", "vda.initialised", "da0@epoch1");
        }

        // When CN1 is gone, DN1 restarts, the DNs re-fence to CN2 and CN2 assembles the same members
        dn1.close();
        dn1 = EmulatedNode.start(dir, "dn1");
        l0 = exportVd(dn1, pd1, "vd0", CN2);
        dn2.client.removeHost("nqn.2016-06.io.spdk:vd1", CN1);
        dn2.client.addHost("nqn.2016-06.io.spdk:vd1", CN2);
        try (EmulatedNode cn2 = EmulatedNode.start(dir, "cn2")) {
            attach(cn2, CN2, l0, l1);
            cn2.client.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd0n1", "vd1n1"));
            cn2.client.waitForExamine();

            // Then the lvstore, the volume and the marker are found, not re-created
            assertEquals(lvsUuid, cn2.client.getLvstore("lvs_da0").orElseThrow().uuid());
            assertEquals(volume, cn2.client.getBdev("lvs_da0/main").orElseThrow().uuid());
            assertEquals("da0@epoch1", cn2.client.getLvolXattr("lvs_da0/main", "vda.initialised").orElseThrow());
            assertEquals(128 * MIB, cn2.client.getBdev("da0").orElseThrow().sizeBytes());
        } finally {
            dn1.close();
            dn2.close();
        }
    }

    @Test
    void shouldFindNothingWhenMembersAreAssembledInAnotherOrder() throws Exception {
        // Given
        EmulatedNode dn1 = EmulatedNode.start(dir, "dn1");
        ListenAddress l0 = exportVd(dn1, sparseFile("a.img", 128 * MIB), "vd0", CN1);
        ListenAddress l1 = exportVd(dn1, sparseFile("b.img", 128 * MIB), "vd1", CN1);
        try (dn1; EmulatedNode cn = EmulatedNode.start(dir, "cn")) {
            attach(cn, CN1, l0, l1);
            cn.client.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd0n1", "vd1n1"));
            cn.client.createLvstore("da0", "lvs_da0", 4 * MIB, "none");
            cn.client.deleteRaid("da0");

            // When
            cn.client.createRaid("da0", RaidLevel.RAID0, 64, List.of("vd1n1", "vd0n1"));

            // Then
            assertTrue(cn.client.getLvstores().isEmpty());
        }
    }

    @Test
    void shouldCutOldPrimaryOffWhenItsHostIsRemoved() throws Exception {
        // Given CN1 with an lvstore on a remote VD
        EmulatedNode dn = EmulatedNode.start(dir, "dn");
        ListenAddress l0 = exportVd(dn, sparseFile("a.img", 128 * MIB), "vd0", CN1);
        try (dn; EmulatedNode cn1 = EmulatedNode.start(dir, "cn1")) {
            cn1.client.attachController(AttachControllerRequest.tcp("vd0", l0, "nqn.2016-06.io.spdk:vd0", CN1));
            cn1.client.createLvstore("vd0n1", "lvs_da0", 4 * MIB, "none");

            // When the DN switches the VD's allowed host away from CN1
            dn.client.removeHost("nqn.2016-06.io.spdk:vd0", CN1);

            // Then CN1 can no longer write metadata to it
            assertReason(SpdkErrorReason.INVALID_PARAMS, () -> cn1.client.createLvol("lvs_da0", "main", 4, true));
            assertTrue(dn.client.call("nvmf_subsystem_get_controllers",
                    java.util.Map.of("nqn", "nqn.2016-06.io.spdk:vd0")).isEmpty());
        }
    }
}
