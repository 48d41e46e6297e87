package io.vda.agent.spdk;

import static io.vda.agent.spdk.Errors.assertReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client + emulator: bdevs, lvol stores, lvols, raid, QoS, iostat; success and each failure kind. */
class SpdkClientBdevTest {
    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    private EmulatedNode node;
    private SpdkClient spdk;

    @BeforeEach
    void start() throws Exception {
        node = EmulatedNode.start(dir, "dn");
        spdk = node.client;
    }

    @AfterEach
    void stop() {
        node.close();
    }

    private Path sparseFile(String name, long bytes) throws Exception {
        Path f = dir.resolve(name);
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(bytes);
        }
        return f;
    }

    @Test
    void shouldReportV2309AndItsMethodsWhenAsked() {
        // When
        SpdkVersion v = spdk.getVersion();
        List<String> all = spdk.getMethods(false);
        List<String> runtime = spdk.getMethods(true);

        // Then
        assertEquals("SPDK v23.09", v.version());
        assertEquals(23, v.fields().major());
        assertTrue(all.contains("nvmf_subsystem_listener_set_ana_state"));
        assertFalse(all.contains("nvmf_subsystem_set_ana_state"));
        assertTrue(all.contains("framework_start_init"));
        assertFalse(runtime.contains("framework_start_init"));
        assertReason(SpdkErrorReason.METHOD_NOT_FOUND, () -> spdk.call("no_such_method", Map.of()));
    }

    @Test
    void shouldCreateFindAndDeleteMallocBdevWhenNamesAreFree() {
        // When
        String name = spdk.createMallocBdev("pd0", 65536, 4096);

        // Then
        assertEquals("pd0", name);
        Bdev b = spdk.getBdev("pd0").orElseThrow();
        assertEquals(256 * MIB, b.sizeBytes());
        assertEquals("Malloc disk", b.productName());
        assertEquals(b.uuid(), spdk.getBdev(b.uuid()).orElseThrow().uuid());
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.createMallocBdev("pd0", 16, 4096));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.createMallocBdev("bad", 16, 1000));
        spdk.deleteMallocBdev("pd0");
        assertTrue(spdk.getBdev("pd0").isEmpty());
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.deleteMallocBdev("pd0"));
    }

    @Test
    void shouldSizeAioBdevFromItsFileWhenCreated() throws Exception {
        // Given
        Path f = sparseFile("aio.img", 64 * MIB);

        // When
        spdk.createAioBdev("aio0", f.toString(), 4096);

        // Then
        Bdev b = spdk.getBdev("aio0").orElseThrow();
        assertEquals(16384, b.numBlocks());
        assertEquals(f.toString(), b.driverSpecific().path("aio").path("filename").asText());
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.createAioBdev("aio0", f.toString(), 4096));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.createAioBdev("aio1", dir.resolve("none").toString(),
                4096));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.createAioBdev("aio2", f.toString(), 3000));
        spdk.deleteAioBdev("aio0");
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.deleteAioBdev("aio0"));
    }

    @Test
    void shouldAccountClustersWhenLvstoreAndLvolsAreCreated() {
        // Given
        spdk.createMallocBdev("pd0", 65536, 4096);

        // When
        String lvsUuid = spdk.createLvstore("pd0", "lvs_pd0", 4 * MIB, "none");
        String thick = spdk.createLvol("lvs_pd0", "vd0", 64, false);
        spdk.createLvol("lvs_pd0", "vd1", 128, true);

        // Then
        Lvstore lvs = spdk.getLvstore("lvs_pd0").orElseThrow();
        assertEquals(lvsUuid, lvs.uuid());
        assertEquals(63, lvs.totalDataClusters());
        assertEquals(47, lvs.freeClusters());
        Bdev vd0 = spdk.getBdev("lvs_pd0/vd0").orElseThrow();
        assertEquals(thick, vd0.name());
        assertEquals(64 * MIB, vd0.sizeBytes());
        assertEquals(List.of("vd0", "vd1"), spdk.getLvols("lvs_pd0").stream().map(Lvol::name).toList());
        assertTrue(spdk.getLvols().get(1).isThinProvisioned());
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.getLvols("ghost"));
    }

    @Test
    void shouldClassifyLvstoreFailuresWhenCreatingTwiceOrOnMissingOrClaimedBdevs() {
        // Given
        spdk.createMallocBdev("pd0", 65536, 4096);
        spdk.createMallocBdev("pd1", 8192, 4096);
        spdk.createLvstore("pd0", "lvs_pd0", 4 * MIB, "none");

        // When / Then
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.createLvstore("pd1", "lvs_pd0", 4 * MIB, "none"));
        assertReason(SpdkErrorReason.NOT_PERMITTED, () -> spdk.createLvstore("pd0", "other", 4 * MIB, "none"));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.createLvstore("ghost", "x", 4 * MIB, "none"));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.createLvstore("pd1", "x", 3 * MIB, "none"));
        assertReason(SpdkErrorReason.NO_SPACE, () -> spdk.createLvstore("pd1", "x", 64 * MIB, "none"));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.deleteLvstore("ghost"));
        assertTrue(spdk.getLvstore("ghost").isEmpty());
        spdk.deleteLvstore("lvs_pd0");
        assertTrue(spdk.getLvstores().isEmpty());
        assertFalse(spdk.getBdev("pd0").orElseThrow().claimed());
    }

    @Test
    void shouldClassifyLvolFailuresWhenDuplicateMissingOrTooLarge() {
        // Given
        spdk.createMallocBdev("pd0", 65536, 4096);
        spdk.createLvstore("pd0", "lvs_pd0", 4 * MIB, "none");
        spdk.createLvol("lvs_pd0", "vd0", 64, false);

        // When / Then
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.createLvol("lvs_pd0", "vd0", 4, false));
        SpdkRpcException tooBig = assertReason(SpdkErrorReason.NO_SPACE,
                () -> spdk.createLvol("lvs_pd0", "huge", 100_000, false));
        assertEquals(-32602, tooBig.code());
        assertEquals("No space left on device", tooBig.spdkMessage());
        spdk.createLvol("lvs_pd0", "thin", 100_000, true);
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.createLvol("ghost", "x", 4, false));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.call("bdev_lvol_create",
                Map.of("lvs_name", "lvs_pd0", "lvol_name", "y", "thin_provision", "yes")));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.deleteLvol("lvs_pd0/ghost"));
        spdk.deleteLvol("lvs_pd0/thin");
        spdk.deleteLvol("lvs_pd0/vd0");
        assertEquals(63, spdk.getLvstore("lvs_pd0").orElseThrow().freeClusters());
    }

    @Test
    void shouldResizeSnapshotAndCloneLvolWhenSpaceAllows() {
        // Given
        spdk.createMallocBdev("pd0", 65536, 4096);
        spdk.createLvstore("pd0", "lvs_pd0", 4 * MIB, "none");
        spdk.createLvol("lvs_pd0", "vd0", 64, false);

        // When
        spdk.resizeLvol("lvs_pd0/vd0", 128);
        SpdkRpcException noSpace = assertThrowsNoSpace(() -> spdk.resizeLvol("lvs_pd0/vd0", 1000));
        String snap = spdk.snapshotLvol("lvs_pd0/vd0", "snap0");
        String clone = spdk.cloneLvol("lvs_pd0/snap0", "clone0");

        // Then
        assertEquals(128 * MIB, spdk.getBdev("lvs_pd0/vd0").orElseThrow().sizeBytes());
        assertEquals(63 - 32, spdk.getLvstore("lvs_pd0").orElseThrow().freeClusters());
        Lvol s = spdk.getLvols().stream().filter(l -> l.uuid().equals(snap)).findFirst().orElseThrow();
        Lvol c = spdk.getLvols().stream().filter(l -> l.uuid().equals(clone)).findFirst().orElseThrow();
        assertTrue(s.isSnapshot());
        assertTrue(c.isClone());
        assertEquals(-32602, noSpace.code());
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.resizeLvol("lvs_pd0/ghost", 4));
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.snapshotLvol("lvs_pd0/vd0", "snap0"));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.snapshotLvol("lvs_pd0/ghost", "s"));
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.cloneLvol("lvs_pd0/snap0", "clone0"));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.cloneLvol("lvs_pd0/clone0", "c2"));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.cloneLvol("lvs_pd0/ghost", "c3"));
    }

    private static SpdkRpcException assertThrowsNoSpace(org.junit.jupiter.api.function.Executable call) {
        return assertReason(SpdkErrorReason.NO_SPACE, call);
    }

    @Test
    void shouldBuildRaid0OfMemberCountTimesSmallestWhenMembersExist() {
        // Given
        spdk.createMallocBdev("m0", 16384, 4096);
        spdk.createMallocBdev("m1", 32768, 4096);

        // When
        spdk.createRaid("array0", RaidLevel.RAID0, 64, List.of("m0", "m1"));

        // Then
        RaidBdev r = spdk.getRaids("all").get(0);
        assertTrue(r.online());
        assertEquals(List.of("m0", "m1"), r.baseBdevsList());
        assertEquals(2 * 16384, spdk.getBdev("array0").orElseThrow().numBlocks());
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> spdk.createRaid("array0", RaidLevel.RAID0, 64,
                List.of("x")));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.createRaid("bad", RaidLevel.RAID0, 48,
                List.of("x")));
        assertReason(SpdkErrorReason.NOT_PERMITTED, () -> spdk.createRaid("claimed", RaidLevel.RAID0, 64,
                List.of("m0")));
        spdk.deleteRaid("array0");
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.deleteRaid("array0"));
        assertFalse(spdk.getBdev("m0").orElseThrow().claimed());
    }

    @Test
    void shouldWaitInConfiguringWhenRaidMembersAppearLater() {
        // Given
        spdk.createRaid("late", RaidLevel.RAID0, 64, List.of("a", "b"));
        assertEquals("configuring", spdk.getRaids("configuring").get(0).state());

        // When
        spdk.createMallocBdev("a", 1024, 4096);
        spdk.createMallocBdev("b", 1024, 4096);

        // Then
        assertEquals("online", spdk.getRaids("online").get(0).state());
        assertTrue(spdk.getBdev("late").isPresent());
    }

    @Test
    void shouldShowQosLimitsWhenSetAndRejectBadOnes() {
        // Given
        spdk.createMallocBdev("pd0", 1024, 4096);

        // When
        spdk.setQosLimit("pd0", new QosLimits(20000, 100, 0, 0));

        // Then
        assertEquals(new QosLimits(20000, 100, 0, 0), spdk.getBdev("pd0").orElseThrow().assignedRateLimits());
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.setQosLimit("ghost", QosLimits.UNLIMITED));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.setQosLimit("pd0", new QosLimits(1500, 0, 0, 0)));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.call("bdev_set_qos_limit", Map.of("name", "pd0")));
    }

    @Test
    void shouldCountIoWhenEmulatorRecordsSome() {
        // Given
        spdk.createMallocBdev("pd0", 1024, 4096);

        // When
        spdk.call("vda_emulator_record_io", Map.of("name", "pd0", "read_ops", 3, "bytes_read", 12288));

        // Then
        BdevIoStat stat = spdk.getIoStat("pd0");
        assertTrue(stat.tickRate() > 0);
        assertEquals(3, stat.bdevs().get(0).numReadOps());
        assertEquals(12288, stat.bdevs().get(0).bytesRead());
        assertEquals(1, spdk.getIoStat(null).bdevs().size());
        assertReason(SpdkErrorReason.NOT_FOUND, () -> spdk.getIoStat("ghost"));
    }

    @Test
    void shouldRefuseManualExamineWhenAutoExamineIsOn() {
        // Given
        spdk.createMallocBdev("pd0", 1024, 4096);

        // When / Then
        spdk.waitForExamine();
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> spdk.examine("pd0"));
        JsonNode err = spdk.call("rpc_get_methods", null);
        assertTrue(err.size() > 100);
    }
}
