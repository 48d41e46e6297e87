package io.vda.e2e;

import static io.vda.e2e.LocalSystem.expect;
import static io.vda.e2e.LocalSystem.role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vda.agent.naming.SpdkNames;
import io.vda.agent.spdk.NvmfSubsystem;
import io.vda.agent.spdk.SpdkClient;
import io.vda.e2e.LocalSystem.Node;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.schema.naming.NvmeNames;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The README's flow, end to end: allocator, projections, gateway, reconciler and four node agents in this JVM, four
 * emulated SPDK targets in their own processes on their own loopback addresses ({@link LocalSystem}), driven only
 * through the HTTP API; what the nodes built is checked on the emulators.
 */
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(180)
class ReadmeFlowIT {
    private static final Logger LOG = LoggerFactory.getLogger(ReadmeFlowIT.class);
    private static final long MIB = 1L << 20;
    private static final Duration CONVERGE = LocalSystem.CONVERGE;
    private static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";
    private static final ObjectMapper JSON = LocalSystem.JSON;

    private static LocalSystem system;

    @BeforeAll
    static void setUp(TestCluster cluster) throws Exception {
        // Heartbeat grace generous: this JVM is busy on 2 cores; -Dvda.e2e.heartbeatGrace=1s to measure failover
        // with the default
        Duration grace = Duration.parse("PT" + System.getProperty("vda.e2e.heartbeatGrace", "3s").toUpperCase());
        system = LocalSystem.start(new LocalSystem.Settings(cluster.bootstrapServers(), cluster.etcdEndpoint(),
                cluster.prefix(), cluster.etcdRoot(), cluster.workDir(), List.of("dn1", "dn2", "cn1", "cn2"),
                grace));
    }

    @AfterAll
    static void tearDown() throws Exception {
        if (system != null) {
            system.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------- tests

    @Test
    @Order(1)
    void shouldBuildTheDataPathOfADiskArrayThroughTheApiAndTearItDown() throws Exception {
        // Given two disk nodes with a 256 MiB malloc PD each and two controller nodes, created through the API
        for (String dn : List.of("dn1", "dn2")) {
            Node n = system.node(dn);
            expect(system.post("/v1/disk-nodes?wait=30s", Map.of("dnName", dn, "nvmfListener", n.listener())), 201);
            expect(system.post("/v1/disk-nodes/" + dn + "/physical-disks?wait=30s", Map.of("pdName", "pd0",
                    "backing", Map.of("type", "malloc", "sizeBytes", 256 * MIB))), 201);
        }
        for (String cn : List.of("cn1", "cn2")) {
            expect(system.post("/v1/controller-nodes?wait=30s", Map.of("cnName", cn, "nvmfListener",
                    system.node(cn).listener())), 201);
        }

        // When a 64 MiB disk array striped over 2 VDs with 2 controllers and an exporter are created
        long start = System.nanoTime();
        expect(system.post("/v1/disk-arrays?wait=30s", Map.of("daName", "db1", "sizeBytes", 64 * MIB, "stripCnt", 2,
                "cntlrCnt", 2)), 201);
        expect(system.post("/v1/disk-arrays/db1/exporters?wait=30s", Map.of("expName", "exp1", "hostNqns",
                List.of(HOST_NQN))), 201);

        // Then the disk array becomes ready
        JsonNode da = system.awaitState("db1", "ready");
        LOG.info("E2E: disk array db1 (64 MiB, 2 VDs, 2 controllers, 1 exporter) ready {} ms after POST",
                (System.nanoTime() - start) / 1_000_000);
        String primary = null;
        String secondary = null;
        for (JsonNode c : da.path("spec").path("controllers")) {
            if (c.path("role").asText().equals("PRIMARY")) {
                primary = c.path("cnName").asText();
            } else {
                secondary = c.path("cnName").asText();
            }
        }
        assertThat(primary).isNotNull();
        assertThat(secondary).isNotNull();
        assertDataPath(da, "db1", "exp1", primary, secondary);

        // A disk array too big for the disk nodes is refused with the allocator's reason
        HttpResponse<String> big = system.post("/v1/disk-arrays?wait=30s", Map.of("daName", "huge", "sizeBytes",
                4096 * MIB, "stripCnt", 2, "cntlrCnt", 1));
        assertThat(big.statusCode()).as(big.body()).isIn(409, 422);
        assertThat(JSON.readTree(big.body()).path("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");

        // When the exporter and the disk array are deleted
        expect(system.delete("/v1/disk-arrays/db1/exporters/exp1?wait=30s"), 204);
        expect(system.delete("/v1/disk-arrays/db1?wait=30s"), 204);

        // Then the document is gone and nothing of it is left on any node
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            assertThat(system.get("/v1/disk-arrays/db1").statusCode()).isEqualTo(404);
            for (Node n : system.nodes()) {
                assertThat(n.spdk().getSubsystems()).as(n.name()).extracting(NvmfSubsystem::nqn)
                        .noneMatch(nqn -> nqn.contains(":db1"));
                assertThat(n.spdk().getControllers()).as(n.name()).isEmpty();
                assertThat(n.spdk().getRaids("all")).as(n.name()).isEmpty();
                assertThat(n.spdk().getLvols()).as(n.name()).isEmpty();
            }
        });
        // The PDs' lvstores stay: their PDs still exist
        for (String dn : List.of("dn1", "dn2")) {
            assertThat(system.node(dn).spdk().getLvstore(SpdkNames.pdLvstore("pd0"))).isPresent();
        }
    }

    @Test
    @Order(2)
    void shouldFailOverWhenThePrimaryControllerStopsAndTakeItBackAsSecondary() throws Exception {
        // Given a ready disk array with an exporter (the nodes of the first test)
        expect(system.post("/v1/disk-arrays?wait=30s", Map.of("daName", "db2", "sizeBytes", 64 * MIB, "stripCnt", 2,
                "cntlrCnt", 2)), 201);
        expect(system.post("/v1/disk-arrays/db2/exporters?wait=30s", Map.of("expName", "exp1", "hostNqns",
                List.of(HOST_NQN))), 201);
        JsonNode before = system.awaitState("db2", "ready");
        String primary = role(before, "PRIMARY");
        String secondary = role(before, "SECONDARY");
        long epoch = before.path("spec").path("epoch").asLong();
        assertDataPath(before, "db2", "exp1", primary, secondary);

        // When the primary's agent stops (no more heartbeats)
        long stopped = System.nanoTime();
        system.stopAgent(primary);

        // Then the reconciler fails it over: the secondary becomes primary at the next epoch
        JsonNode[] moved = new JsonNode[1];
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            moved[0] = JSON.readTree(system.get("/v1/disk-arrays/db2").body());
            assertThat(role(moved[0], "PRIMARY")).isEqualTo(secondary);
            assertThat(moved[0].path("spec").path("epoch").asLong()).isGreaterThan(epoch);
        });
        long failedOver = System.nanoTime();
        // and the new primary builds the array from the same VDs, fenced to it alone
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            SpdkClient p = system.node(secondary).spdk();
            assertThat(p.getRaids("all")).extracting(r -> r.name()).containsExactly(SpdkNames.raid("db2"));
            assertThat(p.getBdev(SpdkNames.daVolumeAlias("db2"))).isPresent();
            assertThat(p.getSubsystem(NvmeNames.exporterNqn("db2", "exp1"))).isPresent();
            for (JsonNode vd : moved[0].path("spec").path("virtualDisks")) {
                NvmfSubsystem s = system.node(vd.path("dnName").asText()).spdk()
                        .getSubsystem(NvmeNames.virtualDiskNqn("db2", vd.path("vdIndex").asInt())).orElseThrow();
                assertThat(s.hostNqns()).containsExactly(NvmeNames.controllerHostNqn(secondary));
            }
        });
        long rebuilt = System.nanoTime();

        // When the old primary's agent comes back, it returns as a secondary and the disk array is ready again
        system.startAgent(primary);
        JsonNode after = system.awaitState("db2", "ready");
        long readyAgain = System.nanoTime();
        assertThat(role(after, "PRIMARY")).isEqualTo(secondary);
        assertThat(role(after, "SECONDARY")).isEqualTo(primary);
        assertDataPath(after, "db2", "exp1", secondary, primary);
        LOG.info("E2E: failover of db2: primary {} stopped -> new primary {} in the document {} ms, its array "
                + "built {} ms; old primary back as secondary, ready {} ms after its restart", primary, secondary,
                (failedOver - stopped) / 1_000_000, (rebuilt - stopped) / 1_000_000,
                (readyAgain - rebuilt) / 1_000_000);
    }

    private static void assertDataPath(JsonNode da, String daName, String expName, String primary,
            String secondary) {
        String primaryHost = NvmeNames.controllerHostNqn(primary);
        String expNqn = NvmeNames.exporterNqn(daName, expName);
        await().atMost(CONVERGE).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
            // Each DN holds its VD's lvol, exported to the primary only
            for (JsonNode vd : da.path("spec").path("virtualDisks")) {
                Node dn = system.node(vd.path("dnName").asText());
                int index = vd.path("vdIndex").asInt();
                String lvol = SpdkNames.lvolAlias(SpdkNames.pdLvstore(vd.path("pdName").asText()),
                        SpdkNames.vdLvol(daName, index));
                assertThat(dn.spdk().getBdev(lvol)).as(dn.name() + " " + lvol).isPresent();
                NvmfSubsystem s = dn.spdk().getSubsystem(NvmeNames.virtualDiskNqn(daName, index)).orElseThrow();
                assertThat(s.hostNqns()).as(dn.name()).containsExactly(primaryHost);
                assertThat(s.namespaces()).hasSize(1);
            }
            // The primary: raid0, lvstore, volume, the exporter's subsystem
            SpdkClient p = system.node(primary).spdk();
            assertThat(p.getRaids("all")).extracting(r -> r.name()).containsExactly(SpdkNames.raid(daName));
            assertThat(p.getLvstore(SpdkNames.daLvstore(daName))).isPresent();
            assertThat(p.getBdev(SpdkNames.daVolumeAlias(daName))).isPresent();
            NvmfSubsystem pe = p.getSubsystem(expNqn).orElseThrow();
            assertThat(pe.hostNqns()).contains(HOST_NQN, NvmeNames.controllerHostNqn(secondary));
            assertThat(pe.serialNumber()).isEqualTo(NvmeNames.exporterSerialNumber(daName, expName));
            // The secondary re-exports the primary's exporter under the same identity to the exporter's hosts
            SpdkClient s = system.node(secondary).spdk();
            NvmfSubsystem se = s.getSubsystem(expNqn).orElseThrow();
            assertThat(se.hostNqns()).containsExactly(HOST_NQN);
            assertThat(se.serialNumber()).isEqualTo(pe.serialNumber());
            assertThat(se.namespaces()).hasSize(1);
            assertThat(se.namespaces().get(0).uuid()).isEqualTo(pe.namespaces().get(0).uuid())
                    .isEqualTo(NvmeNames.exporterNamespaceUuid(daName, expName));
            assertThat(s.getRaids("all")).isEmpty();
        });
    }
}
