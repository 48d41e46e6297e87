package io.vda.command.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vda.infra.junit.LocalClusterExtension;
import io.vda.infra.junit.TestCluster;
import io.vda.schema.command.CreateDiskArray;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LocalClusterExtension.class)
class GatewayIT {

    private static GatewayFixture gw;

    @BeforeAll
    static void setUp(TestCluster cluster) {
        gw = new GatewayFixture(cluster, Map.of());
    }

    @AfterAll
    static void tearDown() throws Exception {
        gw.close();
    }

    private static final String LISTENER = "'nvmfListener':{'trAddr':'127.0.0.1','trSvcId':'4420'}";

    @Test
    void shouldCreateModifyListGetAndDeleteEveryResourceType() throws Exception {
        // disk node: create waits for the outcome and answers 201 with the projected resource
        GatewayFixture.Reply dn = gw.post("/v1/disk-nodes?wait=15s", "{'dnName':'dn1','location':'rack1'," + LISTENER + "}");
        assertThat(dn.status()).as(dn.body().toString()).isEqualTo(201);
        assertThat(dn.header("Location")).isEqualTo("/v1/disk-nodes/dn1");
        assertThat(dn.body().path("spec").path("location").asText()).isEqualTo("rack1");
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, gw.cluster.bootstrapServers()))) {
            assertThat(admin.listTopics().names().get()).contains(gw.topics.node("dn1"));
        }
        assertThat(gw.patch("/v1/disk-nodes/dn1?wait=15s", "{'isOffline':true}").body().path("spec")
                .path("isOffline").asBoolean()).isTrue();

        // physical disk under the disk node
        GatewayFixture.Reply pd = gw.post("/v1/disk-nodes/dn1/physical-disks", "{'pdName':'pd1','backing':"
                + "{'type':'malloc','sizeBytes':1073741824}}", "Prefer", "wait=15");
        assertThat(pd.status()).as(pd.body().toString()).isEqualTo(201);
        assertThat(pd.header("Preference-Applied")).isEqualTo("wait=15");
        assertThat(gw.get("/v1/disk-nodes/dn1/physical-disks/pd1").body().path("spec").path("backing")
                .path("type").asText()).isEqualTo("MALLOC");
        assertThat(gw.get("/v1/disk-nodes/dn1/physical-disks").body().path("items")).hasSize(1);
        assertThat(gw.patch("/v1/disk-nodes/dn1/physical-disks/pd1?wait=15s", "{'description':'fast'}").status())
                .isEqualTo(200);

        // controller node
        assertThat(gw.post("/v1/controller-nodes?wait=15s", "{'cnName':'cn1'," + LISTENER + "}").status()).isEqualTo(201);
        assertThat(gw.get("/v1/controller-nodes/cn1").body().path("spec").path("hostNqn").asText()).startsWith("nqn.");
        assertThat(gw.patch("/v1/controller-nodes/cn1?wait=15s", "{'description':'cn'}").status()).isEqualTo(200);

        // disk array and its exporter
        GatewayFixture.Reply da = gw.post("/v1/disk-arrays?wait=15s", "{'daName':'db1','sizeBytes':10737418240,"
                + "'stripCnt':2,'stripSizeKb':128,'qos':{'rwIosPerSec':1000}}");
        assertThat(da.status()).as(da.body().toString()).isEqualTo(201);
        assertThat(da.body().path("spec").path("stripSizeKb").asInt()).isEqualTo(128);
        GatewayFixture.Reply modified = gw.patch("/v1/disk-arrays/db1?wait=15s", "{'qos':{'rwIosPerSec':5}}");
        assertThat(modified.body().path("spec").path("qos").path("rwIosPerSec").asLong()).isEqualTo(5);
        GatewayFixture.Reply exp = gw.post("/v1/disk-arrays/db1/exporters?wait=15s",
                "{'expName':'exp1','hostNqns':['nqn.2014-08.org.nvmexpress:uuid:0b6f7c7e-9d1a-4c53-8f0e-2d7a4f1b9c11']}");
        assertThat(exp.status()).as(exp.body().toString()).isEqualTo(201);
        assertThat(gw.get("/v1/disk-arrays/db1/exporters/exp1").body().path("spec").path("targetNqn").asText())
                .isNotEmpty();
        assertThat(gw.patch("/v1/disk-arrays/db1/exporters/exp1?wait=15s", "{'hostNqns':[]}").body()
                .path("spec").path("hostNqns")).isEmpty();
        assertThat(gw.get("/v1/disk-arrays").body().path("items")).extracting(n -> n.path("name").asText()).contains("db1");
        assertThat(gw.get("/v1/disk-arrays/db1/exporters").body().path("items")).hasSize(1);
        assertThat(gw.get("/v1/controller-nodes").body().path("items")).extracting(n -> n.path("name").asText())
                .contains("cn1");
        assertThat(gw.get("/v1/disk-nodes").body().path("items")).extracting(n -> n.path("name").asText())
                .contains("dn1");

        // deletes, children first; with wait the answer is 204
        assertThat(gw.delete("/v1/disk-arrays/db1/exporters/exp1?wait=15s").status()).isEqualTo(204);
        assertThat(gw.delete("/v1/disk-arrays/db1?wait=15s").status()).isEqualTo(204);
        assertThat(gw.delete("/v1/disk-nodes/dn1/physical-disks/pd1?wait=15s").status()).isEqualTo(204);
        assertThat(gw.delete("/v1/controller-nodes/cn1?wait=15s").status()).isEqualTo(204);
        assertThat(gw.delete("/v1/disk-nodes/dn1?wait=15s").status()).isEqualTo(204);
        assertThat(gw.get("/v1/disk-nodes/dn1").status()).isEqualTo(404);
    }

    @Test
    void shouldAcceptWithoutWaitAndReportTheOutcomeAtTheStatusUrl() {
        GatewayFixture.Reply accepted = gw.post("/v1/disk-arrays", "{'daName':'nowait1','sizeBytes':4194304}");

        assertThat(accepted.status()).isEqualTo(202);
        String id = accepted.body().path("commandId").asText();
        assertThat(accepted.header("Location")).isEqualTo("/v1/commands/" + id);
        assertThat(accepted.body().path("status").asText()).isEqualTo("PENDING");
        assertThat(gw.get("/v1/commands/" + id + "?wait=15s").body().path("status").asText()).isEqualTo("SUCCEEDED");
        // the command on Kafka: keyed by resource, built from the request
        var commands = gw.allocator.commandsFor("disk-array/nowait1");
        assertThat(commands).hasSize(1);
        assertThat(((CreateDiskArray) commands.get(0)).getCommandId()).isEqualTo(id);
    }

    @Test
    void shouldReturnTheAllocatorsReasonWhenWaitingForARejectedCommand() {
        GatewayFixture.Reply tooBig = gw.post("/v1/disk-arrays?wait=15s",
                "{'daName':'huge','sizeBytes':" + (AllocatorDouble.CAPACITY_BYTES * 2) + "}");

        assertThat(tooBig.status()).isEqualTo(422);
        assertThat(tooBig.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(tooBig.body().path("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");
        assertThat(tooBig.body().path("detail").asText()).contains("capacity");
        String id = tooBig.body().path("commandId").asText();
        GatewayFixture.Reply command = gw.get("/v1/commands/" + id);
        assertThat(command.body().path("status").asText()).isEqualTo("REJECTED");
        assertThat(command.body().path("reason").asText()).isEqualTo("INSUFFICIENT_CAPACITY");

        assertThat(gw.post("/v1/disk-arrays?wait=15s", "{'daName':'dup1','sizeBytes':4194304}").status()).isEqualTo(201);
        GatewayFixture.Reply again = gw.post("/v1/disk-arrays?wait=15s", "{'daName':'dup1','sizeBytes':4194304}");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.body().path("reason").asText()).isEqualTo("ALREADY_EXISTS");

        GatewayFixture.Reply missing = gw.delete("/v1/disk-arrays/never?wait=15s");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.body().path("reason").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void shouldAnswer202WhenTheWaitRunsOut() {
        long start = System.nanoTime();
        GatewayFixture.Reply slow = gw.post("/v1/disk-arrays?wait=1s", "{'daName':'slow-1','sizeBytes':4194304}");

        assertThat(slow.status()).isEqualTo(202);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(10));
        assertThat(gw.get(slow.header("Location")).body().path("status").asText()).isEqualTo("PENDING");
    }

    @Test
    void shouldReturnTheSameCommandWhenRetriedWithTheSameIdempotencyKey() {
        String key = "retry-" + UUID.randomUUID();
        String body = "{'daName':'idem1','sizeBytes':8388608}";
        GatewayFixture.Reply first = gw.post("/v1/disk-arrays", body, "Idempotency-Key", key);
        GatewayFixture.Reply second = gw.post("/v1/disk-arrays?wait=15s", body, "Idempotency-Key", key);

        assertThat(first.status()).isEqualTo(202);
        String id = first.body().path("commandId").asText();
        // the retry answers with the first command's outcome: created, not "already exists"
        assertThat(second.status()).as(second.body().toString()).isEqualTo(201);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
        assertThat(second.body().path("lastCommandId").asText()).isEqualTo(id);
        assertThat(gw.allocator.commandsFor("disk-array/idem1")).extracting(c -> c.get(0).toString())
                .containsOnly(id);

        GatewayFixture.Reply otherBody = gw.post("/v1/disk-arrays", "{'daName':'idem1','sizeBytes':4194304}",
                "Idempotency-Key", key);
        assertThat(otherBody.status()).isEqualTo(422);
        assertThat(otherBody.body().path("field").asText()).isEqualTo("Idempotency-Key");
    }

    @Test
    void shouldTreatAClientChosenCommandIdAsIdempotencyKey() {
        String id = UUID.randomUUID().toString();
        String body = "{'commandId':'" + id + "','daName':'idem2','sizeBytes':8388608}";

        GatewayFixture.Reply first = gw.post("/v1/disk-arrays?wait=15s", body);
        GatewayFixture.Reply second = gw.post("/v1/disk-arrays", body);

        assertThat(first.status()).isEqualTo(201);
        assertThat(second.status()).isEqualTo(202);
        assertThat(second.body().path("commandId").asText()).isEqualTo(id);
        assertThat(second.header("Idempotent-Replayed")).isEqualTo("true");
    }

    static Stream<Arguments> badWrites() {
        return Stream.of(
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'Bad_Name','sizeBytes':4194304}", "daName"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9','sizeBytes':1000}", "sizeBytes"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9','sizeBytes':4194304,'stripCnt':100}", "stripCnt"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9','sizeBytes':4194304,'stripSizeKb':100}", "stripSizeKb"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9','sizeBytes':4194304,'cntlrCnt':0}", "cntlrCnt"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9','sizeBytes':4194304,'qos':{'rwIosPerSec':-1}}", "qos.rwIosPerSec"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9','sizeBytes':4194304,'size':1}", "size"),
                Arguments.of("POST", "/v1/disk-arrays", "{'daName':'db9',", "body"),
                Arguments.of("POST", "/v1/disk-nodes", "{'dnName':'dn9','nvmfListener':{'trAddr':'1.2.3','trSvcId':'4420'}}", "nvmfListener.trAddr"),
                Arguments.of("POST", "/v1/disk-nodes", "{'dnName':'dn9','nvmfListener':{'trAddr':'1.2.3.4','trSvcId':'0'}}", "nvmfListener.trSvcId"),
                Arguments.of("POST", "/v1/controller-nodes", "{'cnName':'cn9','nvmfListener':{'trType':'udp','trAddr':'1.2.3.4','trSvcId':'1'}}", "nvmfListener.trType"),
                Arguments.of("POST", "/v1/disk-nodes/dn9/physical-disks", "{'pdName':'pd9','backing':{'type':'aio','sizeBytes':4096,'fileName':'rel'}}", "backing.fileName"),
                Arguments.of("POST", "/v1/disk-nodes/dn9/physical-disks", "{'pdName':'pd9','backing':{'type':'nvme','sizeBytes':4096}}", "backing.trAddr"),
                Arguments.of("POST", "/v1/disk-arrays/db9/exporters", "{'expName':'e9','hostNqns':['nqn.bad']}", "hostNqns[0]"),
                Arguments.of("PATCH", "/v1/disk-arrays/db9", "{}", "body"),
                Arguments.of("PATCH", "/v1/disk-nodes/dn9", "{'isOffline':'yes'}", "isOffline"),
                Arguments.of("DELETE", "/v1/disk-arrays/NOPE", null, "daName"));
    }

    @ParameterizedTest(name = "{0} {1} {2} -> 400 {3}")
    @MethodSource("badWrites")
    void shouldAnswer400NamingTheBadField(String method, String path, String body, String field) {
        HttpRequest.Builder b = gw.request(path).header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body.replace('\'', '"')));
        GatewayFixture.Reply r = gw.raw(b);

        assertThat(r.status()).as(r.body().toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(r.body().path("type").asText()).isEqualTo("urn:vda:problem:invalid-request");
        assertThat(r.body().path("errors")).extracting(e -> e.path("field").asText()).contains(field);
    }

    @Test
    void shouldRefuseOversizedBodiesAndOtherMediaTypes() {
        String big = "{'daName':'db1','description':'" + "x".repeat(5000) + "','sizeBytes':4194304}";
        GatewayFixture.Reply tooLarge = gw.post("/v1/disk-arrays", big);
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.body().path("type").asText()).isEqualTo("urn:vda:problem:payload-too-large");

        GatewayFixture.Reply text = gw.raw(gw.request("/v1/disk-arrays").header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("daName=db1")));
        assertThat(text.status()).isEqualTo(415);
    }

    @Test
    void shouldAnswer404ForMissingResourcesCommandsAndParents() {
        assertThat(gw.get("/v1/disk-arrays/absent").status()).isEqualTo(404);
        assertThat(gw.get("/v1/disk-arrays/absent").body().path("type").asText()).isEqualTo("urn:vda:problem:not-found");
        assertThat(gw.get("/v1/disk-nodes/absent/physical-disks").status()).isEqualTo(404);
        assertThat(gw.get("/v1/disk-nodes/absent/physical-disks/pd1").status()).isEqualTo(404);
        assertThat(gw.get("/v1/commands/" + UUID.randomUUID()).status()).isEqualTo(404);
        assertThat(gw.get("/v1/commands/not-a-uuid").status()).isEqualTo(404);
        assertThat(gw.get("/v1/nothing-here").status()).isEqualTo(404);
    }

    @Test
    void shouldPageListsWithAContinuationToken() throws Exception {
        for (int i = 0; i < 5; i++) {
            gw.putDocument(gw.keys.controllerNode("page-cn" + i),
                    "{'schemaVersion':1,'kind':'CONTROLLER_NODE','name':'page-cn" + i + "','spec':{},'state':'ready'}");
        }
        java.util.List<String> names = new java.util.ArrayList<>();
        String token = null;
        int pages = 0;
        do {
            GatewayFixture.Reply page = gw.get("/v1/controller-nodes?limit=2" + (token == null ? "" : "&continue=" + token));
            assertThat(page.status()).isEqualTo(200);
            page.body().path("items").forEach(n -> names.add(n.path("name").asText()));
            token = page.body().path("continue").isNull() ? null : page.body().path("continue").asText();
            pages++;
        } while (token != null);

        assertThat(names).filteredOn(n -> n.startsWith("page-cn"))
                .containsExactly("page-cn0", "page-cn1", "page-cn2", "page-cn3", "page-cn4");
        assertThat(pages).isGreaterThanOrEqualTo(3);
        assertThat(gw.get("/v1/controller-nodes?limit=0").status()).isEqualTo(400);
        assertThat(gw.get("/v1/controller-nodes?continue=%25%25").body().path("errors").get(0).path("field").asText())
                .isEqualTo("continue");
    }

    @Test
    void shouldServeHealthMetricsAndOpenApi() {
        GatewayFixture.Reply health = gw.get("/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body().path("checks").path("kafka").asText()).isEqualTo("UP");

        assertThat(gw.get("/v1/openapi.json").body().path("openapi").asText()).startsWith("3.");

        gw.post("/v1/disk-arrays", "{'daName':'metrics1','sizeBytes':4194304}");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            String metrics = gw.get("/metrics").raw().body();
            assertThat(metrics).contains("vda_gateway_http_requests_total{method=\"POST\",route=\"/v1/disk-arrays\",status=\"202\"}");
            assertThat(metrics).contains("vda_gateway_commands_published_total{command=\"CreateDiskArray\"}");
            assertThat(metrics).contains("vda_gateway_http_request_duration_seconds_bucket");
        });
        assertThat(Set.of(gw.get("/metrics").header("Content-Type"))).allMatch(t -> t.startsWith("text/plain"));
    }
}
