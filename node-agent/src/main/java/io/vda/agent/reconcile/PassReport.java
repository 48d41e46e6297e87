package io.vda.agent.reconcile;

import java.util.List;
import java.util.Map;

/**
 * What a pass found: per object its state, SPDK's reachability and version, the lvstores, and the calls it made.
 *
 * @param objects desired objects (and removed ones whose teardown finished, as DELETED)
 */
public record PassReport(long pass, Trigger trigger, boolean spdkReachable, String spdkVersion, String message,
        Map<String, ObjectResult> objects, List<io.vda.agent.spdk.Lvstore> lvstores, int rounds, int readCalls,
        int mutatingCalls) {

    public enum State {
        OK, ERROR, PENDING, DELETED
    }

    public record ObjectResult(State state, String message, long epoch) {
    }
}
