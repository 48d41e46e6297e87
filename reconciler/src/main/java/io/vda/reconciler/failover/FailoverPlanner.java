package io.vda.reconciler.failover;

import io.vda.schema.command.FailoverController;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Which disk arrays need a failover: those whose primary sits on a failed controller node. The command id is derived
 * from the disk array and its epoch, so any reconciler (a standby after a leader died mid-failover, or this one
 * retrying) issues the very same command, and the allocator applies it once. The allocator also rejects a failover
 * whose epoch is no longer current, so a late duplicate cannot fail over twice.
 */
public final class FailoverPlanner {

    private FailoverPlanner() {
    }

    public static List<FailoverController> plan(Set<String> failedCnNames, Collection<DiskArrayView> diskArrays,
            Instant now) {
        List<FailoverController> commands = new ArrayList<>();
        diskArrays.stream()
                .filter(da -> da.primaryCnName() != null && failedCnNames.contains(da.primaryCnName()))
                .sorted(Comparator.comparing(DiskArrayView::daName))
                .forEach(da -> commands.add(FailoverController.newBuilder()
                        .setCommandId(commandId(da.daName(), da.epoch()))
                        .setIssuedAt(now)
                        .setDaName(da.daName())
                        .setFailedCnName(da.primaryCnName())
                        .setEpoch(da.epoch())
                        .setReason("controller node " + da.primaryCnName() + " missed its heartbeats")
                        .build()));
        return commands;
    }

    public static String commandId(String daName, long epoch) {
        return UUID.nameUUIDFromBytes(("FailoverController/" + daName + "/" + epoch)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }
}
