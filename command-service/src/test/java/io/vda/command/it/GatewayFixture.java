package io.vda.command.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.etcd.jetcd.Client;
import io.vda.command.CommandService;
import io.vda.command.CommandServiceConfig;
import io.vda.infra.junit.TestCluster;
import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A gateway and the allocator double on a test cluster, plus a small HTTP client for the tests. */
final class GatewayFixture implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final TestCluster cluster;
    final Client etcd;
    final Topics topics;
    final EtcdKeys keys;
    final CommandService service;
    final AllocatorDouble allocator;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    final String base;

    GatewayFixture(TestCluster cluster, Map<String, String> overrides) {
        this.cluster = cluster;
        this.etcd = Client.builder().endpoints(cluster.etcdEndpoint()).build();
        this.topics = new Topics(cluster.prefix());
        this.keys = new EtcdKeys(cluster.etcdRoot());
        Map<String, String> env = new HashMap<>(Map.of(
                "VDA_HTTP_PORT", "0",
                "VDA_KAFKA_BOOTSTRAP", cluster.bootstrapServers(),
                "VDA_TOPIC_PREFIX", cluster.prefix(),
                "VDA_ETCD_ENDPOINTS", cluster.etcdEndpoint(),
                "VDA_ETCD_ROOT", cluster.etcdRoot(),
                "VDA_MAX_BODY_BYTES", "4096",
                "VDA_MAX_WAIT", "20s",
                "VDA_PUBLISH_TIMEOUT", "3s"));
        env.putAll(overrides);
        this.service = CommandService.start(CommandServiceConfig.fromMap(env));
        this.allocator = new AllocatorDouble(cluster.bootstrapServers(), topics, etcd, keys,
                new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys, Duration.ofSeconds(10))));
        this.base = "http://127.0.0.1:" + service.port();
    }

    record Reply(int status, JsonNode body, HttpResponse<String> raw) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }
    }

    Reply get(String path, String... headers) {
        return send(request(path, headers).GET());
    }

    Reply post(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json.replace('\'', '"'))));
    }

    Reply patch(String path, String json, String... headers) {
        return send(request(path, headers).header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(json.replace('\'', '"'))));
    }

    Reply delete(String path, String... headers) {
        return send(request(path, headers).DELETE());
    }

    Reply raw(HttpRequest.Builder builder) {
        return send(builder);
    }

    HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private Reply send(HttpRequest.Builder builder) {
        try {
            HttpResponse<String> r = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode body = MissingNode.getInstance();
            String type = r.headers().firstValue("Content-Type").orElse("");
            if (!r.body().isEmpty() && type.contains("json")) {
                body = JSON.readTree(r.body());
            }
            return new Reply(r.statusCode(), body, r);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    void putDocument(String key, String json) throws Exception {
        etcd.getKVClient().put(AllocatorDouble.bytes(key), AllocatorDouble.bytes(json.replace('\'', '"')))
                .get(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        allocator.close();
        service.close();
        etcd.close();
    }
}
