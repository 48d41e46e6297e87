package io.vda.command.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LocalClusterExtension.class)
class GatewayAuthIT {

    private static GatewayFixture gw;

    @BeforeAll
    static void setUp(TestCluster cluster) {
        gw = new GatewayFixture(cluster, Map.of("VDA_API_TOKENS", "t0ken-a,t0ken-b"));
    }

    @AfterAll
    static void tearDown() throws Exception {
        gw.close();
    }

    @Test
    void shouldAnswer401OnEveryV1RouteWithoutAValidToken() {
        GatewayFixture.Reply none = gw.get("/v1/disk-arrays");
        assertThat(none.status()).isEqualTo(401);
        assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
        assertThat(none.body().path("type").asText()).isEqualTo("urn:vda:problem:unauthorized");
        assertThat(gw.get("/v1/disk-arrays", "Authorization", "Bearer wrong").status()).isEqualTo(401);
        assertThat(gw.post("/v1/disk-arrays", "{'daName':'a1','sizeBytes':4194304}").status()).isEqualTo(401);
        assertThat(gw.get("/v1/openapi.json").status()).isEqualTo(401);
        assertThat(gw.allocator.commandsFor("disk-array/a1")).isEmpty();
    }

    @Test
    void shouldServeRequestsWithAnyConfiguredToken() {
        assertThat(gw.get("/v1/disk-arrays", "Authorization", "Bearer t0ken-a").status()).isEqualTo(200);
        assertThat(gw.post("/v1/disk-arrays?wait=15s", "{'daName':'a2','sizeBytes':4194304}",
                "Authorization", "Bearer t0ken-b").status()).isEqualTo(201);
    }

    @Test
    void shouldLeaveHealthAndMetricsOpen() {
        assertThat(gw.get("/health").status()).isEqualTo(200);
        assertThat(gw.get("/metrics").status()).isEqualTo(200);
    }
}
