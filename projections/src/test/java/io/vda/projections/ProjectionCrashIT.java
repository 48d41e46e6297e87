package io.vda.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.process.ChildProcess;
import io.vda.infra.process.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The projection as a separate JVM, killed with SIGKILL while records flow, then restarted. */
@ExtendWith(LocalClusterExtension.class)
class ProjectionCrashIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final int RECORDS = 40_000;

    private static ProjectionCluster cluster;
    private static TestCluster test;
    private static Path logs;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = new ProjectionCluster(testCluster.bootstrapServers(), testCluster.etcdEndpoint(),
                testCluster.prefix(), testCluster.etcdRoot());
        logs = testCluster.workDir().resolve(testCluster.prefix());
        test = testCluster;
    }

    @AfterAll
    static void tearDown() {
        cluster.close();
    }

    private static ChildProcess startProjection(String name) {
        return startProjection(name, cluster, Map.of());
    }

    private static ChildProcess startProjection(String name, ProjectionCluster on, Map<String, String> extra) {
        List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        on.projectionVariables().forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        extra.forEach((k, v) -> jvm.add("-D" + k + "=" + v));
        return ChildProcess.start(name, ChildProcess.javaCommand(jvm, ProjectionsMain.class.getName(), List.of()),
                logs.resolve(name + ".log"));
    }

    @Test
    void shouldEndWithTheDocumentsOfACleanPassAfterAKillMinusNineMidBatch() {
        List<Workload.Item> workload = Workload.generate(RECORDS);
        cluster.produce(workload.subList(0, RECORDS / 2));

        ChildProcess first = startProjection("projection-1");
        CompletableFuture<Void> rest = CompletableFuture.runAsync(
                () -> cluster.produce(workload.subList(RECORDS / 2, RECORDS)));
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(20)).until(() -> cluster.storedTotal() > 5_000);
        first.kill();
        long storedAtKill = cluster.storedTotal();
        assertThat(first.isAlive()).isFalse();

        ChildProcess second = startProjection("projection-2");
        try {
            rest.join();
            cluster.awaitCaughtUp(TIMEOUT);
            assertThat(storedAtKill).as("killed mid-stream").isLessThan(RECORDS);
            assertThat(second.isAlive()).as(second.logTail(40)).isTrue();
        } finally {
            second.stop(Duration.ofSeconds(10));
        }
        Map<String, JsonNode> live = cluster.readableDocuments();

        try (ProjectionCluster.Running rebuild = cluster.startInProcess(
                cluster.projectionConfig().withRebuild(true), ProjectionHooks.NONE)) {
            await().atMost(TIMEOUT).until(() -> !cluster.caughtUp());
            cluster.awaitCaughtUp(TIMEOUT);
            Map<String, JsonNode> clean = cluster.readableDocuments();
            assertThat(clean.keySet()).isEqualTo(live.keySet());
            assertThat(clean).isEqualTo(live);
            assertThat(live.size()).isGreaterThan(RECORDS / 10);
        }
    }

    @Test
    void shouldWaitForEtcdWhenItIsNotThereAtStartInsteadOfStopping() throws Exception {
        // Given a projection process started while its etcd does not answer (as on a loaded machine at start-up)
        int port = Ports.freeLoopbackPort();
        ChildProcess projection;
        try (ProjectionCluster late = new ProjectionCluster(test.bootstrapServers(), "http://127.0.0.1:" + port,
                test.prefix() + "-late", test.etcdRoot() + "-late")) {
            projection = startProjection("projection-etcd-late", late, Map.of("VDA_ETCD_TIMEOUT", "1s"));
            try {
                await().atMost(TIMEOUT).until(() -> projection.logTail(50).contains("starting the projection again"));
                assertThat(projection.isAlive()).as(projection.logTail(40)).isTrue();

                // When etcd comes up, then the projection carries on and catches up with what is produced
                try (EtcdServer etcd = EtcdServer.start(logs.resolve("etcd-late"), port, Duration.ofSeconds(60))) {
                    late.produce(Workload.generate(1_000));
                    late.awaitCaughtUp(TIMEOUT);
                    assertThat(late.readableDocuments()).isNotEmpty();
                    assertThat(projection.isAlive()).as(projection.logTail(40)).isTrue();
                } finally {
                    projection.stop(Duration.ofSeconds(10));
                }
            } finally {
                projection.kill();
            }
        }
    }
}
