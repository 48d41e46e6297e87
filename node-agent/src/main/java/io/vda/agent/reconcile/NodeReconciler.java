package io.vda.agent.reconcile;

import io.vda.agent.desired.DesiredSnapshot;
import io.vda.agent.reconcile.PassReport.ObjectResult;
import io.vda.agent.reconcile.PassReport.State;
import io.vda.agent.spdk.SpdkClient;
import io.vda.agent.spdk.SpdkException;
import io.vda.agent.spdk.SpdkRpcException;
import io.vda.agent.spdk.SpdkTransportException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile pass: observe SPDK → plan → execute, repeated while steps make progress (a created raid or aio
 * bdev must be observed, after examine, before the next decision), at most {@link #MAX_ROUNDS} rounds. Then the
 * state of each desired object, and DELETED for removed objects whose teardown is complete.
 */
public final class NodeReconciler {
    private static final Logger LOG = LoggerFactory.getLogger(NodeReconciler.class);
    static final int MAX_ROUNDS = 6;
    private static final int READ_CALLS_PER_ROUND = 6;

    private final NodeContext ctx;
    private final SpdkClient client;
    private final Executor executor;
    private final Set<String> removedPending = new HashSet<>();
    private Set<String> lastDesiredKeys = Set.of();
    private String spdkVersion;
    private long passes;

    private final int parallelism;
    private final java.util.concurrent.ExecutorService pool;

    public NodeReconciler(NodeContext ctx, SpdkClient client, Executor.InitializationListener initialization) {
        this(ctx, client, initialization, DEFAULT_PARALLELISM);
    }

    /** @param parallelism SPDK calls of different objects in flight at once (1 = strictly one at a time) */
    public NodeReconciler(NodeContext ctx, SpdkClient client, Executor.InitializationListener initialization,
            int parallelism) {
        this.ctx = ctx;
        this.client = client;
        this.executor = new Executor(client, initialization);
        this.parallelism = parallelism;
        this.pool = parallelism <= 1 ? null : java.util.concurrent.Executors.newFixedThreadPool(parallelism, r -> {
            Thread t = new Thread(r, "spdk-call-" + ctx.nodeName());
            t.setDaemon(true);
            return t;
        });
    }

    /** One call at a time: on the emulator, pipelining showed no measurable gain (docs/benchmarks.md). */
    public static final int DEFAULT_PARALLELISM = 1;

    /** Stops the threads that pipeline calls. */
    public void close() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    public PassReport reconcile(DesiredSnapshot desired, Trigger trigger) {
        long pass = ++passes;
        String context = "Reconcile #" + pass + "(" + trigger.name().toLowerCase() + ") node " + ctx.nodeName() + ":";
        Map<String, Long> epochs = desired.objectEpochs();
        for (String k : lastDesiredKeys) {
            if (!epochs.containsKey(k)) {
                removedPending.add(k);
            }
        }
        removedPending.removeAll(epochs.keySet());
        lastDesiredKeys = epochs.keySet();
        int reads = 0;
        int mutating = 0;
        int rounds = 0;
        try {
            if (spdkVersion == null) {
                spdkVersion = client.getVersion().version();
                reads++;
                LOG.info("{} SPDK reachable, version {}", context, spdkVersion);
            }
            Plan plan;
            Observed observed;
            Executor.Result last = null;
            List<Step> previous = null;
            while (true) {
                observed = Observed.read(client);
                reads += READ_CALLS_PER_ROUND;
                plan = Planner.plan(ctx, desired, observed);
                executor.initialized(plan.initializations());
                // Stop when done, out of rounds, or when the last round changed nothing the planner can see.
                if (plan.isEmpty() || rounds == MAX_ROUNDS || plan.steps().equals(previous)) {
                    break;
                }
                previous = plan.steps();
                rounds++;
                last = executor.execute(plan, context, pool, parallelism);
                mutating += last.calls();
                if (last.succeeded() == 0) {
                    break;
                }
            }
            Map<String, ObjectResult> objects = results(plan, last, epochs);
            if (mutating == 0) {
                LOG.debug("{} nothing to do ({} objects)", context, epochs.size());
            } else {
                LOG.info("{} {} SPDK calls in {} rounds; {} objects, {} not ok", context, mutating, rounds,
                        epochs.size(), objects.values().stream().filter(r -> r.state() != State.OK).count());
            }
            return new PassReport(pass, trigger, true, spdkVersion, null, objects, observed.lvstores(), rounds,
                    reads, mutating);
        } catch (SpdkTransportException e) {
            spdkVersion = null;
            LOG.warn("{} SPDK unreachable: {}", context, e.getMessage());
            return new PassReport(pass, trigger, false, null, e.getMessage(), Map.of(), List.of(), rounds, reads,
                    mutating);
        } catch (SpdkRpcException e) {
            // A listing call failed: SPDK answers, but the pass cannot see its state.
            LOG.warn("{} cannot read SPDK's state: {}", context, e.getMessage());
            return new PassReport(pass, trigger, true, spdkVersion, e.getMessage(), Map.of(), List.of(), rounds,
                    reads, mutating);
        } catch (SpdkException e) {
            LOG.warn("{} SPDK failed: {}", context, e.getMessage());
            return new PassReport(pass, trigger, false, null, e.getMessage(), Map.of(), List.of(), rounds, reads,
                    mutating);
        }
    }

    private Map<String, ObjectResult> results(Plan plan, Executor.Result last, Map<String, Long> epochs) {
        Map<String, Integer> outstanding = new LinkedHashMap<>();
        plan.steps().forEach(s -> outstanding.merge(s.objectKey(), 1, Integer::sum));
        Map<String, ObjectResult> out = new TreeMap<>();
        epochs.forEach((key, epoch) -> {
            String error = last == null ? null : last.errors().get(key);
            Plan.Blocked blocked = plan.blocked().get(key);
            if (error != null && outstanding.containsKey(key)) {
                out.put(key, new ObjectResult(State.ERROR, error, epoch));
            } else if (blocked != null) {
                out.put(key, new ObjectResult(blocked.error() ? State.ERROR : State.PENDING, blocked.message(), epoch));
            } else if (outstanding.containsKey(key)) {
                out.put(key, new ObjectResult(State.PENDING, outstanding.get(key) + " step(s) outstanding", epoch));
            } else {
                out.put(key, new ObjectResult(State.OK, null, epoch));
            }
        });
        // Teardown of objects found in SPDK but no longer desired (also those removed while the agent was down).
        plan.steps().stream().map(Step::objectKey)
                .filter(k -> !epochs.containsKey(k) && !k.equals(io.vda.schema.RecordKeys.NODE_OBJECT)).forEach(removedPending::add);
        for (String key : Set.copyOf(removedPending)) {
            String error = last == null ? null : last.errors().get(key);
            if (!outstanding.containsKey(key)) {
                out.put(key, new ObjectResult(State.DELETED, null, 0));
                removedPending.remove(key);
            } else if (error != null) {
                out.put(key, new ObjectResult(State.ERROR, error, 0));
            }
        }
        return out;
    }
}
