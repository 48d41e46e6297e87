package io.vda.agent.reconcile;

import io.vda.agent.spdk.SpdkClient;
import io.vda.agent.spdk.SpdkRpcException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a plan's steps in order with the SPDK client. An error that means "already so" for the step (exists on
 * create, missing on delete) counts as done; any other SPDK error fails the step's object, whose remaining steps,
 * and those of objects depending on it, are skipped for this round; the other objects go on. A transport error
 * (SPDK unreachable) ends the pass by propagating.
 */
public final class Executor {
    private static final Logger LOG = LoggerFactory.getLogger(Executor.class);

    /** Told when a disk array's lvstore exists and the allocator must record it. */
    public interface InitializationListener {
        void lvstoreInitialized(String daName, long epoch, String lvstoreUuid);
    }

    /** What one execution did: SPDK calls made, steps that succeeded, and the first error per object. */
    public record Result(int calls, int succeeded, Map<String, String> errors) {
    }

    private final SpdkClient client;
    private final InitializationListener initialization;

    public Executor(SpdkClient client, InitializationListener initialization) {
        this.client = client;
        this.initialization = initialization;
    }

    public void initialized(List<Step.MarkInitialized> marks) {
        marks.forEach(m -> initialization.lvstoreInitialized(m.daName(), m.epoch(), m.lvstoreUuid()));
    }

    /** Sequential execution, in plan order. */
    public Result execute(List<Step> steps, String context) {
        Tally t = new Tally();
        steps.forEach(step -> run(step, context, t));
        return t.result();
    }

    /**
     * Teardown steps in order; build steps object by object in dependency levels (the node's own steps, then objects
     * that depend on nothing, then their dependants), and within a level in waves: the k-th step of every object at
     * once. One object's steps stay in order; different objects' calls are pipelined on the one SPDK connection by
     * {@code parallelism} threads (SPDK still runs them one by one, in arrival order).
     */
    public Result execute(Plan plan, String context, java.util.concurrent.ExecutorService pool, int parallelism) {
        Tally t = new Tally();
        List<Step> steps = plan.steps();
        steps.subList(0, plan.teardownSteps()).forEach(step -> run(step, context, t));
        Map<String, List<Step>> byObject = new LinkedHashMap<>();
        for (Step s : steps.subList(plan.teardownSteps(), steps.size())) {
            byObject.computeIfAbsent(s.objectKey(), k -> new java.util.ArrayList<>()).add(s);
        }
        Map<String, Integer> levels = new java.util.HashMap<>();
        byObject.keySet().forEach(k -> level(k, byObject, levels, 0));
        int maxLevel = levels.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        for (int level = 0; level <= maxLevel; level++) {
            List<List<Step>> chains = new java.util.ArrayList<>();
            for (var e : byObject.entrySet()) {
                if (levels.get(e.getKey()) == level) {
                    chains.add(e.getValue());
                }
            }
            int longest = chains.stream().mapToInt(List::size).max().orElse(0);
            for (int k = 0; k < longest; k++) {
                List<Step> wave = new java.util.ArrayList<>();
                for (List<Step> chain : chains) {
                    if (k < chain.size()) {
                        wave.add(chain.get(k));
                    }
                }
                runWave(wave, context, t, pool, parallelism);
            }
        }
        return t.result();
    }

    private static int level(String key, Map<String, List<Step>> byObject, Map<String, Integer> levels, int depth) {
        Integer known = levels.get(key);
        if (known != null) {
            return known;
        }
        int level;
        if (key.equals(io.vda.schema.RecordKeys.NODE_OBJECT)) {
            level = 0;
        } else {
            String dep = byObject.get(key).stream().map(Step::dependsOn).filter(d -> d != null && !d.equals(key))
                    .findFirst().orElse(null);
            level = dep == null || !byObject.containsKey(dep) || depth > 8 ? 1
                    : level(dep, byObject, levels, depth + 1) + 1;
        }
        levels.put(key, level);
        return level;
    }

    private void runWave(List<Step> wave, String context, Tally t, java.util.concurrent.ExecutorService pool,
            int parallelism) {
        if (wave.size() == 1 || parallelism <= 1 || pool == null) {
            wave.forEach(step -> run(step, context, t));
            return;
        }
        java.util.concurrent.Semaphore window = new java.util.concurrent.Semaphore(parallelism);
        List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
        try {
            for (Step step : wave) {
                window.acquire();
                futures.add(pool.submit(() -> {
                    try {
                        run(step, context, t);
                    } finally {
                        window.release();
                    }
                }));
            }
            for (var f : futures) {
                f.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new io.vda.agent.spdk.SpdkTransportException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Thread-safe counts of one execution. */
    private static final class Tally {
        private int calls;
        private int succeeded;
        private final Map<String, String> errors = new LinkedHashMap<>();
        private final Set<String> failed = new HashSet<>();

        synchronized boolean skip(Step step) {
            if (failed.contains(step.objectKey()) || (step.dependsOn() != null && failed.contains(step.dependsOn()))) {
                failed.add(step.objectKey());
                return true;
            }
            calls++;
            return false;
        }

        synchronized void ok() {
            succeeded++;
        }

        synchronized void fail(String key, String message) {
            failed.add(key);
            errors.putIfAbsent(key, message);
        }

        synchronized Result result() {
            return new Result(calls, succeeded, Map.copyOf(errors));
        }
    }

    private void run(Step step, String context, Tally t) {
        if (t.skip(step)) {
            LOG.debug("{} {}: skipped, an earlier step failed", context, step);
            return;
        }
        if (step.action() instanceof Step.CreateDiskArrayLvstore c) {
            LOG.info("{} {}: creating the disk array's lvstore {} on {} (first and only time)", context,
                    step.objectKey(), c.lvsName(), c.raidName());
        }
        try {
            Object result = step.action().apply(client);
            t.ok();
            LOG.info("{} {}: {} done", context, step.objectKey(), step.action());
            if (step.action() instanceof Step.CreateDiskArrayLvstore c) {
                initialization.lvstoreInitialized(c.daName(), c.epoch(), String.valueOf(result));
            }
        } catch (SpdkRpcException e) {
            if (e.reason() == step.action().doneWhen()) {
                t.ok();
                LOG.info("{} {}: {} already so ({})", context, step.objectKey(), step.action(), e.reason());
            } else {
                t.fail(step.objectKey(), e.method() + ": " + e.spdkMessage().strip() + " (" + e.code() + ", "
                        + e.reason() + ")");
                LOG.warn("{} {}: {} failed: {}", context, step.objectKey(), step.action(), e.getMessage());
            }
        }
    }
}
