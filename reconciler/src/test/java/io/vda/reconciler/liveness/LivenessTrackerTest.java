package io.vda.reconciler.liveness;

import static org.assertj.core.api.Assertions.assertThat;

import io.vda.schema.common.NodeKind;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LivenessTrackerTest {

    private static final Instant T0 = Instant.parse("2026-11-25T10:00:00Z");
    private final LivenessTracker tracker = new LivenessTracker(Duration.ofMillis(1000));

    @Test
    void shouldNotFailANodeThatMissedOneHeartbeat() {
        tracker.heartbeat("cn1", NodeKind.CONTROLLER_NODE, "i1", T0);

        // Given a 200 ms interval, 400 ms of silence is one missed heartbeat.
        assertThat(tracker.evaluate(T0.plusMillis(400))).isEmpty();
        tracker.heartbeat("cn1", NodeKind.CONTROLLER_NODE, "i1", T0.plusMillis(450));
        assertThat(tracker.evaluate(T0.plusMillis(1400))).isEmpty();
        assertThat(tracker.isFailed("cn1")).isFalse();
    }

    @Test
    void shouldFailANodeOnceWhenSilentPastTheGracePeriod() {
        tracker.heartbeat("cn1", NodeKind.CONTROLLER_NODE, "i1", T0);

        assertThat(tracker.evaluate(T0.plusMillis(1001)))
                .containsExactly(new LivenessChange.Failed("cn1", NodeKind.CONTROLLER_NODE, T0));
        assertThat(tracker.evaluate(T0.plusMillis(5000))).isEmpty();
        assertThat(tracker.failedNodes()).containsExactly("cn1");
    }

    @Test
    void shouldRecoverAFailedNodeThatHeartbeatsAgain() {
        tracker.heartbeat("dn1", NodeKind.DISK_NODE, "i1", T0);
        tracker.evaluate(T0.plusMillis(2000));

        tracker.heartbeat("dn1", NodeKind.DISK_NODE, "i2", T0.plusMillis(3000));

        assertThat(tracker.evaluate(T0.plusMillis(3010)))
                .containsExactly(new LivenessChange.Recovered("dn1", NodeKind.DISK_NODE, "i2"));
        assertThat(tracker.isFailed("dn1")).isFalse();
    }

    @Test
    void shouldGiveAKnownButUnheardNodeAFullGracePeriodFromLeadership() {
        tracker.watch("cn2", NodeKind.CONTROLLER_NODE, T0, false);

        assertThat(tracker.evaluate(T0.plusMillis(900))).isEmpty();
        assertThat(tracker.evaluate(T0.plusMillis(1100)))
                .containsExactly(new LivenessChange.Failed("cn2", NodeKind.CONTROLLER_NODE, T0));
    }

    @Test
    void shouldNotDeclareAgainANodeTheDirectorySaysIsFailed() {
        tracker.watch("cn3", NodeKind.CONTROLLER_NODE, T0, true);

        assertThat(tracker.evaluate(T0.plusMillis(5000))).isEmpty();
        tracker.heartbeat("cn3", NodeKind.CONTROLLER_NODE, "i9", T0.plusMillis(5100));
        assertThat(tracker.evaluate(T0.plusMillis(5200)))
                .containsExactly(new LivenessChange.Recovered("cn3", NodeKind.CONTROLLER_NODE, "i9"));
    }

    @Test
    void shouldNotBlameNodesForTimeTheReconcilerWasBlind() {
        tracker.heartbeat("cn1", NodeKind.CONTROLLER_NODE, "i1", T0);

        // The reconciler itself stalled for 2 s: nobody could have been heard.
        tracker.creditBlindTime(Duration.ofSeconds(2));

        assertThat(tracker.evaluate(T0.plusMillis(2500))).isEmpty();
        assertThat(tracker.evaluate(T0.plusMillis(3100)))
                .containsExactly(new LivenessChange.Failed("cn1", NodeKind.CONTROLLER_NODE, T0.plusSeconds(2)));
    }
}
