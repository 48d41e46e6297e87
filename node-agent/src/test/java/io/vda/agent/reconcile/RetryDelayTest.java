package io.vda.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class RetryDelayTest {

    @Test
    void shouldDoubleUpToThePeriodAndStartOverOnceConverged() {
        RetryDelay retry = new RetryDelay(Duration.ofMillis(50), Duration.ofMillis(300));

        assertThat(retry.next()).isEqualTo(Duration.ofMillis(50));
        assertThat(retry.next()).isEqualTo(Duration.ofMillis(100));
        assertThat(retry.next()).isEqualTo(Duration.ofMillis(200));
        assertThat(retry.next()).isEqualTo(Duration.ofMillis(300));
        assertThat(retry.next()).isEqualTo(Duration.ofMillis(300));

        assertThat(retry.reset()).isEqualTo(Duration.ofMillis(300));
        assertThat(retry.next()).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void shouldRefuseAFirstDelayAboveThePeriod() {
        assertThatThrownBy(() -> new RetryDelay(Duration.ofSeconds(3), Duration.ofSeconds(2)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("first <= ceiling");
    }
}
