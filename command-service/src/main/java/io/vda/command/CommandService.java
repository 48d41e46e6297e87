package io.vda.command;

import io.etcd.jetcd.Client;
import io.vda.command.http.HttpGateway;
import io.vda.command.metrics.GatewayMetrics;
import io.vda.command.publish.CommandPublisher;
import io.vda.command.store.Etcd;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running gateway: Vert.x, the etcd client, the Kafka producer and the HTTP server, closed together. */
public final class CommandService implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);

    private final Vertx vertx;
    private final Client etcdClient;
    private final CommandPublisher publisher;
    private final HttpServer server;
    private final GatewayMetrics metrics;

    private CommandService(Vertx vertx, Client etcdClient, CommandPublisher publisher, HttpServer server,
            GatewayMetrics metrics) {
        this.vertx = vertx;
        this.etcdClient = etcdClient;
        this.publisher = publisher;
        this.server = server;
        this.metrics = metrics;
    }

    /** Starts everything or fails (closing what was started): Kafka and etcd must answer within their timeouts. */
    public static CommandService start(CommandServiceConfig config) {
        LOG.info("Starting the command service with {}", config.redacted());
        Vertx vertx = Vertx.vertx();
        Client etcdClient = null;
        CommandPublisher publisher = null;
        try {
            etcdClient = Client.builder().endpoints(config.etcdEndpoints().toArray(String[]::new)).build();
            etcdClient.getKVClient().get(Etcd.bytes(config.etcdRoot())).get(config.etcdTimeout().toMillis() * 2,
                    TimeUnit.MILLISECONDS);
            var registry = new CachingSchemaRegistry(
                    new EtcdSchemaRegistry(etcdClient, config.etcdKeys(), config.etcdTimeout()));
            publisher = new CommandPublisher(vertx, config, registry);
            publisher.prepare(config.createTopics(), config.publishTimeout());
            GatewayMetrics metrics = new GatewayMetrics();
            Etcd etcd = new Etcd(etcdClient, vertx, config.etcdTimeout());
            HttpServer server = new HttpGateway(vertx, config, publisher, etcd, metrics).listen()
                    .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
            LOG.info("Command service listening on http://{}:{}", config.httpHost(), server.actualPort());
            return new CommandService(vertx, etcdClient, publisher, server, metrics);
        } catch (Exception e) {
            if (publisher != null) {
                publisher.close();
            }
            if (etcdClient != null) {
                etcdClient.close();
            }
            vertx.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("command service failed to start: " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    @Override
    public void close() {
        try {
            server.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("HTTP server did not close cleanly: {}", e.toString());
        }
        publisher.close();
        etcdClient.close();
        try {
            vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warn("Vert.x did not close cleanly: {}", e.toString());
        }
        LOG.info("Command service stopped");
    }

}
