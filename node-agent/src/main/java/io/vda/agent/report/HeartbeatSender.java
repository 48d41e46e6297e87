package io.vda.agent.report;

import io.vda.schema.common.NodeKind;
import io.vda.schema.status.Heartbeat;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends a {@link Heartbeat} every interval on its own thread and producer, so that a slow SPDK call or a long
 * reconcile never delays it (the reconciler declares a node failed after about a second of silence). The
 * incarnation is random per process start.
 */
public final class HeartbeatSender implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(HeartbeatSender.class);

    private final String topic;
    private final String nodeName;
    private final NodeKind nodeKind;
    private final Producer<String, Heartbeat> producer;
    private final String incarnation = UUID.randomUUID().toString();
    private final AtomicLong sequence = new AtomicLong();
    private final ScheduledExecutorService timer;

    public HeartbeatSender(String topic, String nodeName, NodeKind nodeKind, Producer<String, Heartbeat> producer) {
        this.topic = topic;
        this.nodeName = nodeName;
        this.nodeKind = nodeKind;
        this.producer = producer;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "heartbeat-" + nodeName);
            t.setDaemon(true);
            return t;
        });
    }

    public String incarnation() {
        return incarnation;
    }

    public void start(Duration interval) {
        LOG.info("Node {} heartbeats every {} (incarnation {})", nodeName, interval, incarnation);
        timer.scheduleAtFixedRate(this::beat, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void beat() {
        try {
            producer.send(new ProducerRecord<>(topic, nodeName, Heartbeat.newBuilder().setNodeName(nodeName)
                    .setNodeKind(nodeKind).setIncarnation(incarnation).setSequence(sequence.incrementAndGet())
                    .setSentAt(Instant.now()).build()), (md, e) -> {
                        if (e != null) {
                            LOG.warn("Node {} heartbeat not sent: {}", nodeName, e.toString());
                        }
                    });
        } catch (RuntimeException e) {
            LOG.warn("Node {} heartbeat not sent: {}", nodeName, e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
