package io.vda.allocator;

import io.etcd.jetcd.Client;
import io.vda.allocator.topology.AllocatorTopology;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the allocator: reads {@link AllocatorConfig} from the environment (arguments {@code VDA_X=value} override
 * it, for one-off runs and tests), makes sure the cluster topics exist, and runs the topology until SIGTERM.
 */
public final class AllocatorMain {

    private static final Logger LOG = LoggerFactory.getLogger(AllocatorMain.class);

    private AllocatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Map<String, String> values = new HashMap<>(System.getenv());
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                System.err.println("arguments are VDA_X=value overrides; variables:");
                AllocatorConfig.VARIABLES.forEach(v -> System.err.printf("  %s (default %s): %s%n", v.name(),
                        v.defaultValue(), v.doc()));
                System.exit(2);
            }
            values.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        AllocatorConfig config;
        try {
            config = AllocatorConfig.fromMap(values);
        } catch (IllegalArgumentException e) {
            LOG.error("{}", e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Allocator configuration: {}", config.describe());

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                config.bootstrapServers()))) {
            new TopicBootstrapper(admin, config.replicationFactor()).createClusterTopics(config.topics());
        }
        Client etcd = Client.builder().endpoints(config.etcdEndpoints().split(",")).build();
        SchemaRegistry registry = new CachingSchemaRegistry(
                new EtcdSchemaRegistry(etcd, config.etcdKeys(), Duration.ofSeconds(10)));

        KafkaStreams streams = new KafkaStreams(AllocatorTopology.build(config, registry),
                AllocatorTopology.streamsProperties(config));
        CountDownLatch stopped = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();
        streams.setUncaughtExceptionHandler(e -> {
            LOG.error("Allocator stream thread failed; replacing it (the open transaction is aborted)", e);
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        streams.setStateListener((next, previous) -> {
            LOG.info("Allocator state {} -> {}", previous, next);
            if (next == KafkaStreams.State.NOT_RUNNING || next == KafkaStreams.State.ERROR) {
                failed.compareAndSet(false, next == KafkaStreams.State.ERROR);
                stopped.countDown();
            }
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            LOG.info("Allocator stopping");
            streams.close(Duration.ofSeconds(30));
            etcd.close();
            stopped.countDown();
        }, "allocator-shutdown"));
        streams.start();
        stopped.await();
        if (failed.get()) {
            LOG.error("Allocator stopped after an error");
            System.exit(1);
        }
    }
}
