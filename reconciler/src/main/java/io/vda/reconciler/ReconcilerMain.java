package io.vda.reconciler;

import io.etcd.jetcd.Client;
import io.vda.reconciler.leader.LeaderElection;
import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.status.Heartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs one reconciler instance; several may run, one leads (etcd lease). */
public final class ReconcilerMain {

    private static final Logger LOG = LoggerFactory.getLogger(ReconcilerMain.class);

    private ReconcilerMain() {
    }

    public static void main(String[] args) {
        ReconcilerConfig config;
        try {
            config = ReconcilerConfig.fromEnv(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("reconciler: " + e.getMessage());
            System.exit(2);
            return;
        }
        LOG.info("Starting reconciler {}", config);
        Topics topics = new Topics(config.topicPrefix());
        EtcdKeys keys = new EtcdKeys(config.etcdRoot());
        Client etcd = Client.builder().endpoints(config.etcdEndpoints().split(",")).build();
        SchemaRegistry registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd, keys, Duration.ofSeconds(10)));
        KafkaConsumer<String, Heartbeat> heartbeats = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 20),
                new StringDeserializer(), AvroSerde.of(registry, Heartbeat.class).deserializer());
        KafkaProducer<String, org.apache.avro.specific.SpecificRecord> commands = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0),
                new StringSerializer(), AvroSerde.any(registry).serializer());
        LeaderElection election = new LeaderElection(etcd, keys.reconcilerLeader(), config.candidateId(),
                config.leaderTtl());
        Reconciler reconciler = new Reconciler(config, topics, heartbeats, commands,
                new ClusterDirectory(etcd, keys), election, Clock.systemUTC());
        Thread main = Thread.currentThread();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            reconciler.close();
            heartbeats.wakeup();
            try {
                main.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "reconciler-shutdown"));
        try {
            reconciler.run();
            LOG.info("Reconciler {} stopping", config.candidateId());
        } finally {
            election.close();
            heartbeats.close();
            commands.close();
            etcd.close();
        }
    }
}
