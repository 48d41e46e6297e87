package io.vda.agent;

import io.etcd.jetcd.Client;
import io.vda.agent.desired.DesiredStateConsumer;
import io.vda.agent.desired.DesiredStateStore;
import io.vda.agent.reconcile.NodeContext;
import io.vda.agent.reconcile.NodeReconciler;
import io.vda.agent.reconcile.PassReport;
import io.vda.agent.reconcile.RetryDelay;
import io.vda.agent.reconcile.Trigger;
import io.vda.agent.report.HeartbeatSender;
import io.vda.agent.report.InitializationPublisher;
import io.vda.agent.report.StatusReporter;
import io.vda.agent.spdk.SpdkClient;
import io.vda.schema.EtcdKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.common.NodeKind;
import io.vda.schema.serde.AvroSerde;
import io.vda.schema.serde.CachingSchemaRegistry;
import io.vda.schema.serde.EtcdSchemaRegistry;
import io.vda.schema.serde.SchemaRegistry;
import io.vda.schema.status.Heartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One node's agent: reads its node topic into memory, reconciles SPDK on every change and every period (one
 * thread, passes never overlap), reports status after each pass and heartbeats on a thread of its own.
 */
public final class NodeAgent implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeAgent.class);

    private final NodeAgentConfig config;
    private final Topics topics;
    private final Client etcd;
    private final KafkaProducer<String, SpecificRecord> producer;
    private final KafkaProducer<String, Heartbeat> heartbeatProducer;
    private final KafkaProducer<String, byte[]> deadLetterProducer;
    private final SpdkClient spdk;
    private final DesiredStateStore store = new DesiredStateStore();
    private final DesiredStateConsumer consumer;
    private final NodeReconciler reconciler;
    private final StatusReporter reporter;
    private final HeartbeatSender heartbeats;
    private final LinkedBlockingQueue<Trigger> triggers = new LinkedBlockingQueue<>();
    private final AtomicReference<PassReport> lastReport = new AtomicReference<>();
    private final Thread consumerThread;
    private final Thread loopThread;
    private volatile boolean running = true;

    public NodeAgent(NodeAgentConfig config) {
        this.config = config;
        this.topics = new Topics(config.topicPrefix());
        NodeKind kind = config.role() == NodeContext.NodeRole.DISK ? NodeKind.DISK_NODE : NodeKind.CONTROLLER_NODE;
        this.etcd = Client.builder().endpoints(config.etcdEndpoints().split(",")).build();
        SchemaRegistry registry = new CachingSchemaRegistry(new EtcdSchemaRegistry(etcd,
                new EtcdKeys(config.etcdRoot()), Duration.ofSeconds(10)));
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 5),
                new StringSerializer(), AvroSerde.any(registry).serializer());
        this.heartbeatProducer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                ProducerConfig.ACKS_CONFIG, "1",
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1000),
                new StringSerializer(), AvroSerde.of(registry, Heartbeat.class).serializer());
        this.deadLetterProducer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap()),
                new StringSerializer(), new ByteArraySerializer());
        KafkaConsumer<String, byte[]> kafkaConsumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 50),
                new StringDeserializer(), new ByteArrayDeserializer());
        this.consumer = new DesiredStateConsumer(kafkaConsumer, AvroSerde.any(registry).deserializer(),
                topics.node(config.nodeName()), store, () -> triggers.offer(Trigger.EVENT), deadLetterProducer,
                topics.deadLetter());
        this.spdk = SpdkClient.connect(config.spdkSocket(), config.spdkTimeout());
        NodeContext ctx = new NodeContext(config.nodeName(), config.role(), config.nvmfListener());
        this.reconciler = new NodeReconciler(ctx, spdk,
                new InitializationPublisher(topics.commands(), config.nodeName(), producer), config.spdkParallelism());
        this.reporter = new StatusReporter(config.nodeName(), kind, config.statusRefresh(), Clock.systemUTC());
        this.heartbeats = new HeartbeatSender(topics.heartbeats(), config.nodeName(), kind, heartbeatProducer);
        this.consumerThread = new Thread(consumer, "desired-state-" + config.nodeName());
        this.loopThread = new Thread(this::loop, "reconcile-" + config.nodeName());
    }

    /** Creates the node topic if needed, starts heartbeats, the consumer and the reconcile loop. */
    public NodeAgent start() {
        LOG.info("Starting node agent {}", config);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafkaBootstrap()))) {
            new TopicBootstrapper(admin, (short) 1).createNodeTopic(topics, config.nodeName());
        }
        heartbeats.start(config.heartbeatInterval());
        consumerThread.start();
        loopThread.start();
        return this;
    }

    private void loop() {
        try {
            while (running && !consumer.awaitCaughtUp(Duration.ofMillis(200))) {
                LOG.debug("Node {} waiting for its desired state", config.nodeName());
            }
            Trigger trigger = Trigger.STARTUP;
            Duration period = config.reconcilePeriod();
            RetryDelay retry = new RetryDelay(config.reconcileRetry().compareTo(period) > 0 ? period
                    : config.reconcileRetry(), period);
            while (running) {
                PassReport report = pass(trigger);
                // Objects waiting on another node (a disk node's export, the primary's) are retried soon, backing
                // off to the period: the wait for a dependency must not cost a whole period.
                Duration wait = report != null && !converged(report) ? retry.next() : retry.reset();
                Trigger next = triggers.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
                triggers.clear();
                trigger = next == null ? Trigger.TIMER : next;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("Node {} reconcile loop died", config.nodeName(), e);
            throw e;
        }
    }

    private static boolean converged(PassReport report) {
        return report.spdkReachable() && report.objects().values().stream()
                .allMatch(o -> o.state() == PassReport.State.OK || o.state() == PassReport.State.DELETED);
    }

    private PassReport pass(Trigger trigger) {
        PassReport report;
        try {
            report = reconciler.reconcile(store.snapshot(), trigger);
        } catch (RuntimeException e) {
            // A defect must not stop the loop: heartbeats would go on while nothing converges.
            LOG.error("Node {} reconcile pass ({}) failed; retrying next period", config.nodeName(), trigger, e);
            return null;
        }
        lastReport.set(report);
        try {
            for (StatusReporter.Keyed k : reporter.recordsFor(report)) {
                producer.send(new ProducerRecord<>(topics.status(), k.key(), k.value()), (md, e) -> {
                    if (e != null) {
                        LOG.warn("Node {} status {} not sent: {}", config.nodeName(), k.key(), e.toString());
                    }
                });
            }
        } catch (RuntimeException e) {
            LOG.warn("Node {} status not sent: {}", config.nodeName(), e.toString());
        }
        return report;
    }

    /** Asks for a pass now (as a desired-state change would). */
    public void requestReconcile() {
        triggers.offer(Trigger.EVENT);
    }

    public PassReport lastReport() {
        return lastReport.get();
    }

    public String incarnation() {
        return heartbeats.incarnation();
    }

    @Override
    public void close() {
        running = false;
        heartbeats.close();
        consumer.stop();
        loopThread.interrupt();
        try {
            loopThread.join(10_000);
            consumerThread.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        reconciler.close();
        spdk.close();
        producer.close(Duration.ofSeconds(5));
        heartbeatProducer.close(Duration.ofSeconds(2));
        deadLetterProducer.close(Duration.ofSeconds(2));
        etcd.close();
        LOG.info("Node agent {} stopped", config.nodeName());
    }
}
