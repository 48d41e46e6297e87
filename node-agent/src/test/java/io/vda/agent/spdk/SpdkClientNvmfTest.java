package io.vda.agent.spdk;

import static io.vda.agent.spdk.Errors.assertReason;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Client + emulator: NVMe-oF target (transport, subsystems, namespaces, listeners, hosts, ANA) and attach. */
class SpdkClientNvmfTest {
    private static final String VD_NQN = "nqn.2016-06.io.spdk:vd0";
    private static final String CN_HOST = "nqn.2016-06.io.spdk:controller-b";

    @TempDir
    Path dir;

    private EmulatedNode dn;
    private EmulatedNode cn;
    private ListenAddress listener;

    @BeforeEach
    void start() throws Exception {
        dn = EmulatedNode.start(dir, "dn");
        cn = EmulatedNode.start(dir, "cn");
        listener = ListenAddress.tcp("127.0.0.1", freePort());
    }

    @AfterEach
    void stop() {
        cn.close();
        dn.close();
    }

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** A DN exporting one 64 MiB VD to CN_HOST. */
    private String exportVd() {
        SpdkClient spdk = dn.client;
        spdk.createMallocBdev("pd0", 65536, 4096);
        spdk.createLvstore("pd0", "lvs_pd0", 4 << 20, "none");
        String uuid = spdk.createLvol("lvs_pd0", "vd0", 64, false);
        spdk.createTransport("TCP");
        spdk.createSubsystem(SubsystemSpec.of(VD_NQN, "SPDKVD0000000000001", "VDISK"));
        spdk.addHost(VD_NQN, CN_HOST);
        assertEquals(1, spdk.addNamespace(VD_NQN, NamespaceSpec.of("lvs_pd0/vd0")));
        spdk.addListener(VD_NQN, listener);
        return uuid;
    }

    @Test
    void shouldListTransportOnceAndRefuseSecondWhenCreatedTwice() {
        // When
        dn.client.createTransport("TCP");

        // Then
        assertEquals("TCP", dn.client.getTransports().get(0).trtype());
        assertEquals(128, dn.client.getTransports().get(0).maxQueueDepth());
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> dn.client.createTransport("TCP"));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.createTransport("RDMA"));
    }

    @Test
    void shouldShowExportedSubsystemWhenBuilt() {
        // When
        String uuid = exportVd();

        // Then
        NvmfSubsystem s = dn.client.getSubsystem(VD_NQN).orElseThrow();
        assertEquals(List.of(CN_HOST), s.hostNqns());
        assertEquals("SPDKVD0000000000001", s.serialNumber());
        assertEquals(uuid, s.namespaces().get(0).bdevName());
        assertEquals(uuid, s.namespaces().get(0).uuid());
        assertEquals(listener, s.listenAddresses().get(0).address());
        assertEquals("Discovery", dn.client.getSubsystems().get(0).subtype());
        assertTrue(dn.client.getBdev("lvs_pd0/vd0").orElseThrow().claimed());
    }

    @Test
    void shouldClassifySubsystemFailuresWhenDuplicateInvalidOrMissing() {
        // Given
        dn.client.createSubsystem(SubsystemSpec.of(VD_NQN, null, null));

        // When / Then
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> dn.client.createSubsystem(SubsystemSpec.of(VD_NQN,
                null, null)));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.createSubsystem(SubsystemSpec.of("not-an-nqn",
                null, null)));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.createSubsystem(SubsystemSpec.of(
                "nqn.2016-06.io.spdk:x", "X".repeat(21), null)));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> dn.client.deleteSubsystem("nqn.2016-06.io.spdk:ghost"));
        assertTrue(dn.client.getSubsystem("nqn.2016-06.io.spdk:ghost").isEmpty());
        dn.client.deleteSubsystem(VD_NQN);
        assertEquals(1, dn.client.getSubsystems().size());
    }

    @Test
    void shouldClassifyNamespaceListenerAndHostFailuresWhenMisused() throws Exception {
        // Given
        exportVd();
        dn.client.createLvol("lvs_pd0", "vd1", 4, false);

        // When / Then
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.addNamespace(VD_NQN,
                NamespaceSpec.of("lvs_pd0/vd1").withNsid(1)));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.addNamespace(VD_NQN, NamespaceSpec.of("ghost")));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.addNamespace("nqn.2016-06.io.spdk:ghost",
                NamespaceSpec.of("lvs_pd0/vd1")));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> dn.client.removeNamespace(VD_NQN, 7));
        dn.client.addListener(VD_NQN, listener);
        assertReason(SpdkErrorReason.NOT_FOUND, () -> dn.client.removeListener(VD_NQN,
                ListenAddress.tcp("127.0.0.1", 1)));
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.addListener(VD_NQN,
                    ListenAddress.tcp("127.0.0.1", taken.getLocalPort())));
        }
        dn.client.addHost(VD_NQN, CN_HOST);
        assertReason(SpdkErrorReason.NOT_FOUND, () -> dn.client.removeHost(VD_NQN, "nqn.2016-06.io.spdk:nobody"));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.addHost(VD_NQN,
                "nqn.2014-08.org.nvmexpress:uuid:"));
        dn.client.removeNamespace(VD_NQN, 1);
        dn.client.removeListener(VD_NQN, listener);
        dn.client.removeHost(VD_NQN, CN_HOST);
        NvmfSubsystem s = dn.client.getSubsystem(VD_NQN).orElseThrow();
        assertTrue(s.namespaces().isEmpty() && s.listenAddresses().isEmpty() && s.hosts().isEmpty());
    }

    @Test
    void shouldSetAnaStateOnlyWhenSubsystemReportsAna() {
        // Given
        dn.client.createTransport("TCP");
        dn.client.createSubsystem(SubsystemSpec.of("nqn.2016-06.io.spdk:ana", null, null).withAnaReporting());
        dn.client.createSubsystem(SubsystemSpec.of("nqn.2016-06.io.spdk:plain", null, null));
        dn.client.addListener("nqn.2016-06.io.spdk:ana", listener);
        dn.client.addListener("nqn.2016-06.io.spdk:plain", listener);

        // When
        dn.client.setAnaState("nqn.2016-06.io.spdk:ana", listener, AnaState.NON_OPTIMIZED);

        // Then
        var listeners = dn.client.call("nvmf_subsystem_get_listeners",
                java.util.Map.of("nqn", "nqn.2016-06.io.spdk:ana"));
        assertEquals("non_optimized", listeners.get(0).path("ana_states").get(0).path("ana_state").asText());
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.setAnaState("nqn.2016-06.io.spdk:plain",
                listener, AnaState.OPTIMIZED));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> dn.client.setAnaState("nqn.2016-06.io.spdk:ghost",
                listener, AnaState.OPTIMIZED));
    }

    @Test
    void shouldAttachRemoteNamespaceWithLvolIdentityWhenHostIsAllowed() {
        // Given
        String uuid = exportVd();

        // When
        List<String> bdevs = cn.client.attachController(AttachControllerRequest.tcp("vd0", listener, VD_NQN,
                CN_HOST));

        // Then
        assertEquals(List.of("vd0n1"), bdevs);
        Bdev b = cn.client.getBdev("vd0n1").orElseThrow();
        assertEquals(uuid, b.uuid());
        assertEquals(64L << 20, b.sizeBytes());
        assertEquals("NVMe disk", b.productName());
        NvmeController c = cn.client.getController("vd0").orElseThrow();
        assertEquals(VD_NQN, c.ctrlrs().get(0).trid().subnqn());
        assertEquals(CN_HOST, c.ctrlrs().get(0).host().nqn());
        var seen = dn.client.call("nvmf_subsystem_get_controllers", java.util.Map.of("nqn", VD_NQN));
        assertEquals(CN_HOST, seen.get(0).path("hostnqn").asText());
        cn.client.detachController("vd0");
        assertTrue(cn.client.getBdevs().isEmpty());
        assertTrue(cn.client.getController("vd0").isEmpty());
    }

    @Test
    void shouldClassifyAttachFailuresWhenNameTakenUnreachableOrFenced() throws Exception {
        // Given
        exportVd();
        cn.client.attachController(AttachControllerRequest.tcp("vd0", listener, VD_NQN, CN_HOST));

        // When / Then
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> cn.client.attachController(
                AttachControllerRequest.tcp("vd0", listener, VD_NQN, CN_HOST)));
        assertReason(SpdkErrorReason.ALREADY_EXISTS, () -> cn.client.attachController(
                AttachControllerRequest.tcp("other", listener, VD_NQN, "nqn.2016-06.io.spdk:x")));
        assertReason(SpdkErrorReason.UNREACHABLE, () -> cn.client.attachController(
                AttachControllerRequest.tcp("dead", ListenAddress.tcp("127.0.0.1", freePort()), VD_NQN, CN_HOST)));
        assertReason(SpdkErrorReason.INVALID_PARAMS, () -> cn.client.call("bdev_nvme_attach_controller",
                java.util.Map.of("name", "typo", "trtype", "TCP", "traddr", "127.0.0.1", "trsvcid", 4420)));
        assertReason(SpdkErrorReason.REJECTED, () -> cn.client.attachController(
                AttachControllerRequest.tcp("nosub", listener, "nqn.2016-06.io.spdk:ghost", CN_HOST)));
        cn.client.detachController("vd0");
        dn.client.removeHost(VD_NQN, CN_HOST);
        assertReason(SpdkErrorReason.REJECTED, () -> cn.client.attachController(
                AttachControllerRequest.tcp("vd0", listener, VD_NQN, CN_HOST)));
        assertReason(SpdkErrorReason.NOT_FOUND, () -> cn.client.detachController("vd0"));
    }
}
