package io.vda.projections;

import io.vda.projections.batch.Batch;

/** Points where tests observe the projection or inject faults. */
public interface ProjectionHooks {

    /** After a batch's etcd transaction succeeded, before the cache is updated and Kafka offsets are committed. */
    default void afterEtcdCommit(Batch batch) {
    }

    ProjectionHooks NONE = new ProjectionHooks() {
    };
}
