package io.vda.agent.reconcile;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one planning round decided: the ordered steps (teardown first, in reverse dependency order, then builds in
 * dependency order), and the objects that cannot progress now with why ({@link Blocked}).
 */
public record Plan(List<Step> steps, int teardownSteps, Map<String, Blocked> blocked,
        List<Step.MarkInitialized> initializations) {

    /** An object the planner cannot converge now: ERROR (e.g. lvstore missing after failover) or PENDING. */
    public record Blocked(boolean error, String message) {
        public static Blocked error(String message) {
            return new Blocked(true, message);
        }

        public static Blocked pending(String message) {
            return new Blocked(false, message);
        }
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Accumulates steps in two phases so teardown always precedes builds. */
    static final class Builder {
        private final List<Step> teardown = new ArrayList<>();
        private final List<Step> build = new ArrayList<>();
        private final Map<String, Blocked> blocked = new LinkedHashMap<>();
        private final List<Step.MarkInitialized> initializations = new ArrayList<>();

        /** A disk array's lvstore exists that the desired state does not record yet: tell the allocator. */
        void initialized(Step.MarkInitialized m) {
            initializations.add(m);
        }

        void teardown(Step s) {
            teardown.add(s);
        }

        void build(Step s) {
            build.add(s);
        }

        void block(String objectKey, Blocked b) {
            blocked.putIfAbsent(objectKey, b);
        }

        Plan done() {
            List<Step> all = new ArrayList<>(teardown);
            all.addAll(build);
            return new Plan(List.copyOf(all), teardown.size(), Map.copyOf(blocked), List.copyOf(initializations));
        }
    }
}
