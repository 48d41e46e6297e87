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

    public Result execute(List<Step> steps, String context) {
        int calls = 0;
        int succeeded = 0;
        Map<String, String> errors = new LinkedHashMap<>();
        Set<String> failed = new HashSet<>();
        for (Step step : steps) {
            if (failed.contains(step.objectKey()) || (step.dependsOn() != null && failed.contains(step.dependsOn()))) {
                failed.add(step.objectKey());
                LOG.debug("{} {}: skipped, an earlier step failed", context, step);
                continue;
            }
            if (step.action() instanceof Step.CreateDiskArrayLvstore c) {
                LOG.info("{} {}: creating the disk array's lvstore {} on {} (first and only time)", context,
                        step.objectKey(), c.lvsName(), c.raidName());
            }
            calls++;
            try {
                Object result = step.action().apply(client);
                succeeded++;
                LOG.info("{} {}: {} done", context, step.objectKey(), step.action());
                if (step.action() instanceof Step.CreateDiskArrayLvstore c) {
                    initialization.lvstoreInitialized(c.daName(), c.epoch(), String.valueOf(result));
                }
            } catch (SpdkRpcException e) {
                if (e.reason() == step.action().doneWhen()) {
                    succeeded++;
                    LOG.info("{} {}: {} already so ({})", context, step.objectKey(), step.action(), e.reason());
                } else {
                    failed.add(step.objectKey());
                    errors.putIfAbsent(step.objectKey(), e.method() + ": " + e.spdkMessage().strip()
                            + " (" + e.code() + ", " + e.reason() + ")");
                    LOG.warn("{} {}: {} failed: {}", context, step.objectKey(), step.action(), e.getMessage());
                }
            }
        }
        return new Result(calls, succeeded, errors);
    }
}
