package io.vda.command.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalClusterExtension.class)
class GatewayKafkaOutageIT {

    private static GatewayFixture gw;
    private static TestCluster cluster;

    @BeforeAll
    static void setUp(TestCluster testCluster) {
        cluster = testCluster;
        gw = new GatewayFixture(cluster, Map.of("VDA_PUBLISH_TIMEOUT", "2s"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        gw.close();
    }

    @Test
    void shouldAnswer503WithRetryAfterWhileTheBrokerIsDownAndPublishNothing() {
        String key = "outage-1";
        String body = "{'daName':'outage1','sizeBytes':4194304}";
        assertThat(gw.post("/v1/disk-arrays?wait=15s", "{'daName':'before','sizeBytes':4194304}").status())
                .isEqualTo(201);
        GatewayFixture.Reply during;
        GatewayFixture.Reply nodeDuring;
        long elapsed;
        cluster.broker().stopProcess();
        try {
            long start = System.nanoTime();
            during = gw.post("/v1/disk-arrays", body, "Idempotency-Key", key);
            elapsed = System.nanoTime() - start;
            nodeDuring = gw.post("/v1/disk-nodes", "{'dnName':'dn-outage','nvmfListener':{'trAddr':'127.0.0.1',"
                    + "'trSvcId':'4420'}}");
        } finally {
            cluster.broker().startProcess(Duration.ofSeconds(60));
        }
        assertThat(during.status()).as(during.body().toString()).isEqualTo(503);
        assertThat(during.header("Retry-After")).isEqualTo("5");
        assertThat(during.body().path("type").asText()).isEqualTo("urn:vda:problem:kafka-unavailable");
        assertThat(Duration.ofNanos(elapsed)).isLessThan(Duration.ofSeconds(10));
        assertThat(nodeDuring.status()).isEqualTo(503);

        // Back up: the retry with the same key publishes the command once and it is decided.
        GatewayFixture.Reply retry = gw.post("/v1/disk-arrays?wait=20s", body, "Idempotency-Key", key);
        assertThat(retry.status()).as(retry.body().toString()).isEqualTo(201);
        assertThat(gw.allocator.commandsFor("disk-array/outage1")).hasSize(1);
        assertThat(gw.get("/metrics").raw().body()).contains("vda_gateway_publish_errors_total{reason=\"unavailable\"}");
    }
}
