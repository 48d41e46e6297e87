package io.vda.reconciler;

import io.vda.reconciler.drift.DriftDetector;
import io.vda.reconciler.drift.ExpectedObjects;
import io.vda.reconciler.drift.ObjectCondition;
import io.vda.reconciler.drift.Redrive;
import io.vda.reconciler.failover.DiskArrayView;
import io.vda.reconciler.failover.FailoverPlanner;
import io.vda.reconciler.leader.LeaderElection;
import io.vda.reconciler.liveness.LivenessChange;
import io.vda.reconciler.liveness.LivenessTracker;
import io.vda.schema.RecordKeys;
import io.vda.schema.Topics;
import io.vda.schema.command.FailoverController;
import io.vda.schema.command.MarkNodeFailed;
import io.vda.schema.command.MarkNodeRecovered;
import io.vda.schema.command.RedriveNode;
import io.vda.schema.common.NodeKind;
import io.vda.schema.common.ResourceKind;
import io.vda.schema.status.Heartbeat;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reconciler's loop. Only the leader acts: it follows heartbeats, declares nodes failed or recovered, and asks
 * the allocator to fail over every disk array whose primary sits on a failed controller node, and re-drives nodes
 * whose objects stay stuck in ERROR or missing past the drift bound. Every decision is a
 * command on the commands topic (auditable); command ids are derived from what they decide, so a new leader repeats
 * an unfinished decision with the same id instead of making a second one. A re-drive is the exception: a new leader
 * restarts every drift clock and never repeats one, so its id derives from node, instance and time.
 */
public final class Reconciler implements Runnable, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final Duration POLL = Duration.ofMillis(50);
    private static final Duration BLIND_THRESHOLD = Duration.ofMillis(100);
    private static final Duration STEP_RETRY = Duration.ofMillis(250);

    private final ReconcilerConfig config;
    private final Topics topics;
    private final Consumer<String, Heartbeat> heartbeats;
    private final Producer<String, SpecificRecord> commands;
    private final ClusterDirectory directory;
    private final LeaderElection election;
    private final Clock clock;
    private final AtomicBoolean running = new AtomicBoolean(true);

    private LivenessTracker tracker;
    private DriftDetector drift;
    private final Set<String> failedInDirectory = new HashSet<>();
    private final Queue<ProducerRecord<String, SpecificRecord>> outbox = new ArrayDeque<>();
    private final Map<String, Instant> failoverIssuedAt = new HashMap<>();
    private Instant nextElectionAttempt = Instant.MIN;
    private Instant nextDirectoryRefresh = Instant.MIN;
    private Instant nextFailoverCheck = Instant.MIN;
    private Instant lastPollEnded;

    public Reconciler(ReconcilerConfig config, Topics topics, Consumer<String, Heartbeat> heartbeats,
            Producer<String, SpecificRecord> commands, ClusterDirectory directory, LeaderElection election,
            Clock clock) {
        this.config = config;
        this.topics = topics;
        this.heartbeats = heartbeats;
        this.commands = commands;
        this.directory = directory;
        this.election = election;
        this.clock = clock;
    }

    @Override
    public void run() {
        try {
            List<TopicPartition> partitions = awaitHeartbeatPartitions();
            heartbeats.assign(partitions);
            while (running.get()) {
                try {
                    step(partitions);
                } catch (WakeupException e) {
                    if (!running.get()) {
                        return; // close() woke the consumer up to stop
                    }
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    LOG.warn("Reconcile step failed, retrying: {}", e.toString());
                    TimeUnit.MILLISECONDS.sleep(STEP_RETRY.toMillis()); // a failing step must not spin a core
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The heartbeats topic's partitions, once it exists: a reconciler started before the topics are created (as at
     * a first start of the whole system) waits for them instead of running with nothing assigned.
     */
    private List<TopicPartition> awaitHeartbeatPartitions() throws InterruptedException {
        boolean logged = false;
        while (running.get()) {
            List<TopicPartition> partitions = heartbeats.partitionsFor(topics.heartbeats()).stream()
                    .map(p -> new TopicPartition(p.topic(), p.partition())).toList();
            if (!partitions.isEmpty()) {
                return partitions;
            }
            if (!logged) {
                LOG.info("Waiting for topic {} to exist", topics.heartbeats());
                logged = true;
            }
            TimeUnit.MILLISECONDS.sleep(STEP_RETRY.toMillis());
        }
        return List.of();
    }

    private void step(List<TopicPartition> partitions) throws Exception {
        Instant now = clock.instant();
        if (!election.isLeader()) {
            tracker = null;
            drift = null;
            lastPollEnded = null;
            if (now.isAfter(nextElectionAttempt)) {
                nextElectionAttempt = now.plus(config.electionRetry());
                if (election.tryAcquire()) {
                    becomeLeader(partitions);
                }
            }
            heartbeats.poll(POLL); // keeps the consumer alive; a leader starts from the end anyway
            return;
        }
        receiveHeartbeats();
        now = clock.instant();
        if (now.isAfter(nextDirectoryRefresh)) {
            refreshDirectory(now);
            detectDrift(now);
        }
        boolean controllerFailed = false;
        for (LivenessChange change : tracker.evaluate(now)) {
            if (change instanceof LivenessChange.Failed failed) {
                LOG.warn("Node {}: no heartbeat since {}, declaring it failed", failed.nodeName(), failed.lastSeen());
                outbox.add(markFailed(failed, now));
                controllerFailed |= failed.nodeKind() == NodeKind.CONTROLLER_NODE;
            } else if (change instanceof LivenessChange.Recovered recovered) {
                LOG.info("Node {}: heartbeats again (incarnation {}), declaring it recovered",
                        recovered.nodeName(), recovered.incarnation());
                outbox.add(markRecovered(recovered, now));
            }
        }
        if (controllerFailed || (!tracker.failedNodes().isEmpty() && now.isAfter(nextFailoverCheck))) {
            planFailovers(now);
        }
        flushOutbox();
    }

    private void becomeLeader(List<TopicPartition> partitions) throws Exception {
        // Only heartbeats from now on count; every known node gets a full grace period from the moment this leader
        // can actually read heartbeats: the seek and the first poll may take seconds on a cold JVM, and that time is
        // credited to everyone.
        heartbeats.seekToEnd(partitions);
        partitions.forEach(heartbeats::position);
        tracker = new LivenessTracker(config.heartbeatGrace());
        drift = new DriftDetector(config.driftBound()); // every drift clock starts with this leadership
        failoverIssuedAt.clear();
        Instant started = clock.instant();
        refreshDirectory(started);
        lastPollEnded = null;
        receiveHeartbeats();
        tracker.creditBlindTime(Duration.between(started, clock.instant()));
        LOG.info("Reconciler {} leads: watching heartbeats with a grace period of {}", config.candidateId(),
                config.heartbeatGrace());
    }

    private void receiveHeartbeats() {
        Instant pollStarted = clock.instant();
        for (ConsumerRecord<String, Heartbeat> record : pollSafely()) {
            Heartbeat beat = record.value();
            if (beat != null) {
                tracker.heartbeat(beat.getNodeName(), beat.getNodeKind(), beat.getIncarnation(), clock.instant());
            }
        }
        Instant pollEnded = clock.instant();
        if (lastPollEnded != null) {
            // Time this loop spent anywhere but waiting in poll (a GC pause, a slow etcd read) was blind time.
            Duration gap = Duration.between(lastPollEnded, pollEnded).minus(Duration.between(pollStarted, pollEnded));
            if (gap.compareTo(BLIND_THRESHOLD) > 0) {
                LOG.debug("Blind for {}: not counting it against any node", gap);
                tracker.creditBlindTime(gap);
            }
        }
        lastPollEnded = pollEnded;
    }

    private Iterable<ConsumerRecord<String, Heartbeat>> pollSafely() {
        try {
            return heartbeats.poll(POLL);
        } catch (SerializationException e) {
            // A heartbeat we cannot read tells nothing about liveness: skip it, the next one will do.
            LOG.warn("Skipping an unreadable heartbeat: {}", e.getMessage());
            heartbeats.assignment().forEach(tp -> heartbeats.seek(tp, heartbeats.position(tp) + 1));
            return List.of();
        }
    }

    private void refreshDirectory(Instant now) throws Exception {
        nextDirectoryRefresh = now.plus(config.directoryRefresh());
        Set<String> known = new HashSet<>();
        failedInDirectory.clear();
        for (ClusterDirectory.KnownNode node : directory.nodes()) {
            known.add(node.name());
            if (node.failed()) {
                failedInDirectory.add(node.name());
            }
            tracker.watch(node.name(), node.kind(), now, node.failed());
        }
        LOG.debug("Directory refreshed: {} nodes", known.size());
    }

    private void planFailovers(Instant now) throws Exception {
        nextFailoverCheck = now.plus(config.failoverRetry());
        List<DiskArrayView> arrays = directory.diskArrays();
        for (FailoverController command : FailoverPlanner.plan(tracker.failedNodes(), arrays, now)) {
            Instant issued = failoverIssuedAt.get(command.getCommandId());
            if (issued != null && now.isBefore(issued.plus(config.failoverRetry()))) {
                continue; // issued recently; the projection has not caught up yet
            }
            LOG.warn("Disk array {}: primary {} failed at epoch {}, asking for a failover", command.getDaName(),
                    command.getFailedCnName(), command.getEpoch());
            failoverIssuedAt.put(command.getCommandId(), now);
            outbox.add(new ProducerRecord<>(topics.commands(),
                    RecordKeys.resource(ResourceKind.DISK_ARRAY, command.getDaName()), command));
        }
    }

    /**
     * Drift repair: objects of a healthy node stuck in ERROR or missing past {@code VDA_DRIFT_BOUND} (timed on this
     * leader's clock, see {@link DriftDetector}) make a {@code RedriveNode} command; the allocator re-emits the node's
     * desired state and records {@code NodeRedriven}.
     */
    private void detectDrift(Instant now) {
        List<ObjectCondition> objects;
        try {
            objects = ExpectedObjects.of(directory.driftDocuments());
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            // Drift can wait for the next refresh; liveness and failover in this step must not.
            LOG.warn("Drift check skipped, documents unreadable: {}", e.toString());
            return;
        }
        Set<String> failed = new HashSet<>(tracker.failedNodes());
        failed.addAll(failedInDirectory);
        List<Redrive> redrives = drift.evaluate(objects, failed, now);
        LOG.debug("Drift check: {} expected objects, {} stuck", objects.size(), drift.stuckCount());
        for (Redrive redrive : redrives) {
            LOG.warn("Node {}: re-driving its desired state, {}", redrive.nodeName(), redrive.reason());
            RedriveNode command = RedriveNode.newBuilder()
                    .setCommandId(derivedId("RedriveNode", redrive.nodeName(), config.candidateId(), now.toString()))
                    .setIssuedAt(now)
                    .setNodeName(redrive.nodeName())
                    .setNodeKind(redrive.nodeKind())
                    .setObjectKeys(redrive.objectKeys())
                    .setReason(redrive.reason())
                    .build();
            outbox.add(new ProducerRecord<>(topics.commands(), nodeKey(redrive.nodeName(), redrive.nodeKind()),
                    command));
        }
    }

    private void flushOutbox() throws Exception {
        while (!outbox.isEmpty()) {
            // Synchronous: a decision is not forgotten until the broker has it; on failure it stays queued.
            commands.send(outbox.peek()).get(10, TimeUnit.SECONDS);
            outbox.remove();
        }
    }

    private ProducerRecord<String, SpecificRecord> markFailed(LivenessChange.Failed failed, Instant now) {
        MarkNodeFailed command = MarkNodeFailed.newBuilder()
                .setCommandId(derivedId("MarkNodeFailed", failed.nodeName(), failed.lastSeen().toString()))
                .setIssuedAt(now)
                .setNodeName(failed.nodeName())
                .setNodeKind(failed.nodeKind())
                .setLastHeartbeatAt(failed.lastSeen())
                .build();
        return new ProducerRecord<>(topics.commands(), nodeKey(failed.nodeName(), failed.nodeKind()), command);
    }

    private ProducerRecord<String, SpecificRecord> markRecovered(LivenessChange.Recovered recovered, Instant now) {
        MarkNodeRecovered command = MarkNodeRecovered.newBuilder()
                .setCommandId(derivedId("MarkNodeRecovered", recovered.nodeName(),
                        String.valueOf(recovered.incarnation())))
                .setIssuedAt(now)
                .setNodeName(recovered.nodeName())
                .setNodeKind(recovered.nodeKind())
                .build();
        return new ProducerRecord<>(topics.commands(), nodeKey(recovered.nodeName(), recovered.nodeKind()), command);
    }

    private static String nodeKey(String nodeName, NodeKind kind) {
        return RecordKeys.resource(kind == NodeKind.DISK_NODE ? ResourceKind.DISK_NODE : ResourceKind.CONTROLLER_NODE,
                nodeName);
    }

    private static String derivedId(String... parts) {
        return UUID.nameUUIDFromBytes(String.join("/", parts).getBytes(StandardCharsets.UTF_8)).toString();
    }

    public boolean isLeader() {
        return election.isLeader();
    }

    @Override
    public void close() {
        running.set(false);
    }
}
