package io.vda.reconciler.drift;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Decides which nodes to re-drive, with no I/O. An expected object is stuck while it is in ERROR or missing; a node is
 * re-driven when one of its objects has been stuck, continuously, for longer than the bound.
 *
 * <p>Time is this reconciler's own: an object's clock starts when <em>this</em> detector first sees it stuck, not at
 * any time written in a document, so a new leader (a new detector) starts every clock afresh and never re-drives on
 * information older than its own observation. An object seen healthy, no longer expected, or of a resource placed on
 * a failed node loses its clock: failure handling owns those (failover for a controller node; a disk array on a failed
 * disk node is degraded, raid0 has no redundancy, and re-driving its controllers could not help). When a node is re-driven, the clocks of all its stuck objects restart: the
 * re-emitted desired state gets a whole bound to take effect, so a node is re-driven at most once per bound.
 */
public final class DriftDetector {

    private final Duration bound;
    /** Since when each stuck object (by {@code <node>/<objectKey>}) has been seen stuck. */
    private final Map<String, Instant> stuckSince = new HashMap<>();

    public DriftDetector(Duration bound) {
        if (bound.isNegative() || bound.isZero()) {
            throw new IllegalArgumentException("drift bound must be positive: " + bound);
        }
        this.bound = bound;
    }

    /**
     * Folds one observation of the expected objects in and returns the nodes to re-drive now, by node name.
     *
     * @param failedNodes nodes declared failed (by this reconciler or in their documents): objects of resources
     *     placed on them are not drift
     */
    public List<Redrive> evaluate(Collection<ObjectCondition> objects, Set<String> failedNodes, Instant now) {
        Set<String> stillStuck = new HashSet<>();
        Map<String, List<ObjectCondition>> stuckByNode = new TreeMap<>();
        for (ObjectCondition object : objects) {
            if (!object.stuck() || object.dependsOn().stream().anyMatch(failedNodes::contains)) {
                continue;
            }
            stillStuck.add(object.id());
            stuckSince.putIfAbsent(object.id(), now);
            stuckByNode.computeIfAbsent(object.node(), n -> new ArrayList<>()).add(object);
        }
        stuckSince.keySet().retainAll(stillStuck);

        List<Redrive> redrives = new ArrayList<>();
        for (Map.Entry<String, List<ObjectCondition>> node : stuckByNode.entrySet()) {
            List<ObjectCondition> overdue = node.getValue().stream()
                    .filter(o -> Duration.between(stuckSince.get(o.id()), now).compareTo(bound) > 0)
                    .sorted(Comparator.comparing(ObjectCondition::objectKey))
                    .toList();
            if (overdue.isEmpty()) {
                continue;
            }
            List<String> parts = new ArrayList<>();
            for (ObjectCondition o : overdue) {
                parts.add(o.objectKey() + " " + (o.condition() == ObjectCondition.Condition.ERROR
                        ? "in ERROR (" + o.message() + ")" : "missing (" + o.message() + ")")
                        + " for " + human(Duration.between(stuckSince.get(o.id()), now)));
            }
            redrives.add(new Redrive(node.getKey(), overdue.get(0).nodeKind(),
                    overdue.stream().map(ObjectCondition::objectKey).toList(),
                    "stuck longer than the drift bound of " + human(bound) + ": " + String.join("; ", parts)));
            node.getValue().forEach(o -> stuckSince.put(o.id(), now)); // the re-drive gets a whole bound
        }
        return redrives;
    }

    private static String human(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    /** How many objects are being timed as stuck (for logs and tests). */
    public int stuckCount() {
        return stuckSince.size();
    }
}
