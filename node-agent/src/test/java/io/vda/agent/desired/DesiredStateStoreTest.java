package io.vda.agent.desired;

import static io.vda.agent.testing.Specs.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.vda.agent.testing.Specs;
import org.junit.jupiter.api.Test;

class DesiredStateStoreTest {

    @Test
    void shouldIgnoreAnOlderEpochOfTheSameDiskArray() {
        DesiredStateStore store = new DesiredStateStore();
        store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn2", 2));

        boolean changed = store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn1", 1));

        assertThat(changed).isFalse();
        assertThat(store.snapshot().virtualDisks().get("vd/db1/0").getAllowedHostNqn()).endsWith(":cn2");
    }

    @Test
    void shouldRemoveOnTombstoneAndReportNoChangeForAnIdenticalRecord() {
        DesiredStateStore store = new DesiredStateStore();
        assertThat(store.apply("pd/pd0", Specs.mallocPd("pd0", 64 * MIB))).isTrue();
        assertThat(store.apply("pd/pd0", Specs.mallocPd("pd0", 64 * MIB))).isFalse();
        assertThat(store.apply("pd/pd0", null)).isTrue();
        assertThat(store.snapshot().physicalDisks()).isEmpty();
    }

    @Test
    void shouldAcceptEpochsAfreshForAnArrayRecreatedUnderTheSameName() {
        DesiredStateStore store = new DesiredStateStore();
        store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn2", 5));
        store.apply("vd/db1/0", null);

        assertThat(store.apply("vd/db1/0", Specs.vd("db1", 0, "pd0", 64 * MIB, "cn1", 1))).isTrue();
    }
}
