package io.vda.e2e;

import static io.vda.e2e.LocalSystem.role;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.vda.e2e.TopicRecorder.Received;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.process.ChildProcess;
import io.vda.reconciler.ReconcilerMain;
import io.vda.reconciler.failover.FailoverPlanner;
import io.vda.schema.command.FailoverController;
import io.vda.schema.command.MarkNodeFailed;
import io.vda.schema.event.CommandOutcome;
import io.vda.schema.event.ControllerFailedOver;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
 * Failure detection and failover with the default liveness settings (200 ms heartbeats, 1 s grace) and two reconciler
 * <em>processes</em> (leader and standby), around {@link LocalSystem} (allocator, projections, gateway, four agents
 * in this JVM; four SPDK emulator processes): no node is declared failed while all are alive under API load, and a
 * leader killed in the middle of a failover is replaced by the standby, which finishes it with exactly one failover.
 */
@ExtendWith(LocalClusterExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(240)
class FailoverIT {
    private static final Logger LOG = LoggerFactory.getLogger(FailoverIT.class);
    private static final long MIB = 1L << 20;
    private static final String DA = "fo1";
    private static final String EXP = "exp1";
    private static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:22222222-3333-4444-5555-666666666666";
    private static final Duration STEADY = Duration.ofSeconds(Long.getLong("vda.e2e.steadySeconds", 20));

    private static TestCluster cluster;
    private static LocalSystem system;
    private static TopicRecorder recorder;
    private static final Map<String, ChildProcess> reconcilers = new LinkedHashMap<>();

    @BeforeAll
    static void setUp(TestCluster testCluster) throws Exception {
        cluster = testCluster;
        system = LocalSystem.start(new LocalSystem.Settings(cluster.bootstrapServers(), cluster.etcdEndpoint(),
                cluster.prefix(), cluster.etcdRoot(), cluster.workDir(), List.of("dn1", "dn2", "cn1", "cn2"),
                Duration.ofSeconds(1)).withoutReconciler());
        recorder = new TopicRecorder(cluster.bootstrapServers(), system.registry(),
                List.of(system.topics().commands(), system.topics().events(), system.topics().outcomes()));
        for (String id : List.of("reconciler-a", "reconciler-b")) {
            reconcilers.put(id, startReconciler(id));
        }
        system.createNodesAndArray(512 * MIB, DA, 64 * MIB, EXP, HOST_NQN);
    }

    @AfterAll
    static void tearDown() throws Exception {
        reconcilers.values().forEach(ChildProcess::kill);
        if (recorder != null) {
            recorder.close();
        }
        if (system != null) {
            system.close();
        }
    }

    @Test
    @Order(1)
    void shouldDeclareNoNodeFailedWhileAllAreAliveUnderApiLoad() throws Exception {
        // Given every node alive and a leader reconciler with the default grace; when two clients create and delete
        // disk arrays through the API for the steady period
        awaitLeader(null);
        Instant start = Instant.now();
        Instant deadline = start.plus(STEADY);
        AtomicInteger succeeded = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        List<Thread> clients = List.of(loadClient("a", deadline, succeeded, failed),
                loadClient("b", deadline, succeeded, failed));
        clients.forEach(Thread::start);
        for (Thread client : clients) {
            client.join(STEADY.plusSeconds(60).toMillis());
        }

        // Then the load did real work, and no node is declared failed, no failover asked for, during the load and
        // for more than a grace period after it (a failure of the load's last second would show by then)
        LOG.info("steady phase {} s: {} create/delete calls succeeded, {} failed", STEADY.toSeconds(),
                succeeded.get(), failed.get());
        assertThat(succeeded.get()).as("API calls during the steady phase").isGreaterThanOrEqualTo(10);
        assertThat(failed.get()).isZero();
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(recorder.values(MarkNodeFailed.class, m -> m.getIssuedAt().isAfter(start)))
                    .as("nodes declared failed while all were alive").isEmpty();
            assertThat(recorder.values(FailoverController.class, f -> f.getIssuedAt().isAfter(start))).isEmpty();
        });
        assertThat(system.awaitState(DA, "ready").path("spec").path("epoch").asLong()).isEqualTo(1);
    }

    @Test
    @Order(2)
    void shouldLetTheStandbyFinishAFailoverWhoseLeaderDiedMidway() throws Exception {
        // Given the array ready at epoch 1 and the allocator stopped, so a failover command waits on its topic
        JsonNode before = system.awaitState(DA, "ready");
        String primary = role(before, "PRIMARY");
        String secondary = role(before, "SECONDARY");
        long epoch = before.path("spec").path("epoch").asLong();
        String failoverId = FailoverPlanner.commandId(DA, epoch);
        String leader = awaitLeader(null);
        system.stopAllocator();

        // When the primary's agent stops, and the leader reconciler is killed (-9) right after it asked for the
        // failover
        system.stopAgent(primary);
        await().atMost(Duration.ofSeconds(20)).until(() -> !failovers(failoverId).isEmpty());
        Instant killed = Instant.now();
        reconcilers.get(leader).kill();
        LOG.info("killed leader {} after its FailoverController {}", leader, failoverId);

        // Then the standby leads, and repeats the same failover (same command id) on its own detection
        String standby = awaitLeader(leader);
        assertThat(standby).isNotEqualTo(leader);
        await().atMost(Duration.ofSeconds(20)).until(() -> failovers(failoverId).stream()
                .anyMatch(r -> r.receivedAt().isAfter(killed)));

        // When the allocator runs again, the failover completes: the secondary is primary at the next epoch and
        // serves the array
        system.startAllocator();
        JsonNode after = system.awaitDocument(DA, doc -> LocalSystem.newPrimaryReady(doc, DA, EXP, secondary,
                epoch + 1));
        assertThat(after.path("spec").path("epoch").asLong()).isEqualTo(epoch + 1);

        // And every FailoverController record got its (repeated) outcome, and there is exactly one failover
        int asked = failovers(failoverId).size();
        await().atMost(Duration.ofSeconds(20)).until(() -> outcomes(failoverId).size() >= failovers(failoverId).size());
        assertThat(outcomes(failoverId)).allSatisfy(o -> assertThat(o.getStatus().name()).isEqualTo("SUCCEEDED"));
        assertThat(recorder.values(ControllerFailedOver.class, e -> e.getDiskArray().getDaName().equals(DA)))
                .as("failover events of %s after %d FailoverController records", DA, asked)
                .hasSize(1)
                .allSatisfy(e -> {
                    assertThat(e.getFailedCnName()).isEqualTo(primary);
                    assertThat(e.getNewPrimaryCnName()).isEqualTo(secondary);
                });

        // When the old primary's agent comes back, it is secondary (no flapping), the array ready again
        system.startAgent(primary);
        JsonNode recovered = system.awaitState(DA, "ready");
        assertThat(role(recovered, "PRIMARY")).isEqualTo(secondary);
        assertThat(role(recovered, "SECONDARY")).isEqualTo(primary);
        assertThat(recorder.values(ControllerFailedOver.class, e -> e.getDiskArray().getDaName().equals(DA)))
                .hasSize(1);
        reconcilers.put(leader, startReconciler(leader));
    }

    private static List<Received> failovers(String commandId) {
        return recorder.records(FailoverController.class, f -> f.getCommandId().equals(commandId));
    }

    private static List<CommandOutcome> outcomes(String commandId) {
        return recorder.values(CommandOutcome.class, o -> o.getCommandId().equals(commandId));
    }

    private static Thread loadClient(String name, Instant deadline, AtomicInteger succeeded, AtomicInteger failed) {
        return new Thread(() -> {
            int i = 0;
            while (Instant.now().isBefore(deadline)) {
                String da = "load-" + name + "-" + i++;
                try {
                    int created = system.post("/v1/disk-arrays?wait=30s", Map.of("daName", da, "sizeBytes",
                            8 * MIB, "stripCnt", 2, "cntlrCnt", 1)).statusCode();
                    int deleted = system.delete("/v1/disk-arrays/" + da + "?wait=30s").statusCode();
                    if (created == 201 && deleted == 204) {
                        succeeded.addAndGet(2);
                    } else {
                        LOG.warn("load {}: create {} delete {}", da, created, deleted);
                        failed.incrementAndGet();
                    }
                } catch (Exception e) {
                    LOG.warn("load {}: {}", da, e.toString());
                    failed.incrementAndGet();
                }
            }
        }, "load-" + name);
    }

    private static ChildProcess startReconciler(String id) {
        Map<String, String> env = new HashMap<>(system.commonEnvironment());
        env.put("VDA_RECONCILER_ID", id);
        env.put("VDA_DIRECTORY_REFRESH", "500ms");
        return ChildProcess.start(id,
                ChildProcess.javaCommand(List.of("-Xmx96m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                        ReconcilerMain.class.getName(), List.of()),
                env, cluster.workDir().resolve("logs").resolve(cluster.prefix() + "-" + id + ".log"));
    }

    /** The leader's id once the leader key names one other than {@code notThisOne}. */
    private static String awaitLeader(String notThisOne) {
        String[] leader = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            var kvs = system.etcd().getKVClient().get(ByteSequence.from(system.keys().reconcilerLeader(),
                    StandardCharsets.UTF_8)).get(5, TimeUnit.SECONDS).getKvs();
            if (kvs.isEmpty()) {
                return false;
            }
            leader[0] = kvs.get(0).getValue().toString(StandardCharsets.UTF_8);
            return !leader[0].equals(notThisOne);
        });
        return leader[0];
    }
}
