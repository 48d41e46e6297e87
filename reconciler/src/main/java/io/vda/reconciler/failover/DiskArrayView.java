package io.vda.reconciler.failover;

import java.util.List;

/** What the reconciler needs of a disk array: who is primary at which epoch, and its other controllers. */
public record DiskArrayView(String daName, long epoch, String primaryCnName, List<String> secondaryCnNames) {

    public DiskArrayView {
        secondaryCnNames = List.copyOf(secondaryCnNames);
    }
}
