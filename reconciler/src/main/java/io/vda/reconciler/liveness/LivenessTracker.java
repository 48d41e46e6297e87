package io.vda.reconciler.liveness;

import io.vda.schema.common.NodeKind;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Decides which nodes are alive from heartbeats, with no I/O. Time is the reconciler's own receive time, never the
 * sender's clock, so clock skew between nodes cannot fail anyone. A node is failed only when nothing arrived for
 * the whole grace period (several heartbeat intervals): one late heartbeat is not a failure.
 */
public final class LivenessTracker {

    private final Duration grace;
    private final Map<String, NodeLiveness> nodes = new HashMap<>();

    public LivenessTracker(Duration grace) {
        if (grace.isNegative() || grace.isZero()) {
            throw new IllegalArgumentException("grace period must be positive: " + grace);
        }
        this.grace = grace;
    }

    /**
     * Starts watching a node known to exist (from the projections) without having heard from it: its grace period
     * starts at {@code since} (when this reconciler became leader), so a leader change does not fail everybody.
     */
    public void watch(String nodeName, NodeKind kind, Instant since, boolean alreadyFailed) {
        nodes.computeIfAbsent(nodeName, n -> new NodeLiveness(kind, since, null, alreadyFailed));
    }

    public void forget(String nodeName) {
        nodes.remove(nodeName);
    }

    public void heartbeat(String nodeName, NodeKind kind, String incarnation, Instant receivedAt) {
        NodeLiveness current = nodes.get(nodeName);
        if (current == null) {
            nodes.put(nodeName, new NodeLiveness(kind, receivedAt, incarnation, false));
        } else if (receivedAt.isAfter(current.lastSeen())) {
            nodes.put(nodeName, new NodeLiveness(kind, receivedAt, incarnation, current.failed(),
                    current.failed() ? true : current.recoveredPending()));
        }
    }

    /**
     * The reconciler could not read heartbeats for {@code blind} (a pause, a slow poll): no node may be blamed for
     * that time, so every live node's silence is shortened by it.
     */
    public void creditBlindTime(Duration blind) {
        nodes.replaceAll((name, node) -> node.failed() ? node
                : new NodeLiveness(node.kind(), node.lastSeen().plus(blind), node.incarnation(), false,
                        node.recoveredPending()));
    }

    /** The changes since the last call, in a stable order (by node name). */
    public List<LivenessChange> evaluate(Instant now) {
        List<LivenessChange> changes = new ArrayList<>();
        nodes.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(entry -> {
            String name = entry.getKey();
            NodeLiveness node = entry.getValue();
            boolean silent = Duration.between(node.lastSeen(), now).compareTo(grace) > 0;
            if (!node.failed() && silent) {
                changes.add(new LivenessChange.Failed(name, node.kind(), node.lastSeen()));
                entry.setValue(new NodeLiveness(node.kind(), node.lastSeen(), node.incarnation(), true, false));
            } else if (node.failed() && node.recoveredPending() && !silent) {
                changes.add(new LivenessChange.Recovered(name, node.kind(), node.incarnation()));
                entry.setValue(new NodeLiveness(node.kind(), node.lastSeen(), node.incarnation(), false, false));
            }
        });
        return changes;
    }

    public Set<String> failedNodes() {
        Set<String> failed = new java.util.TreeSet<>();
        nodes.forEach((name, node) -> {
            if (node.failed()) {
                failed.add(name);
            }
        });
        return failed;
    }

    public boolean isFailed(String nodeName) {
        NodeLiveness node = nodes.get(nodeName);
        return node != null && node.failed();
    }

    private record NodeLiveness(NodeKind kind, Instant lastSeen, String incarnation, boolean failed,
            boolean recoveredPending) {
        NodeLiveness(NodeKind kind, Instant lastSeen, String incarnation, boolean failed) {
            this(kind, lastSeen, incarnation, failed, false);
        }
    }
}
