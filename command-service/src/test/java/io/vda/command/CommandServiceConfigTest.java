package io.vda.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandServiceConfigTest {

    @Test
    void shouldUseDefaultsWhenUnset() {
        CommandServiceConfig c = CommandServiceConfig.fromMap(Map.of());

        assertThat(c.httpPort()).isEqualTo(8080);
        assertThat(c.httpHost()).isEqualTo("127.0.0.1");
        assertThat(c.authEnabled()).isFalse();
        assertThat(c.maxWait()).isEqualTo(Duration.ofSeconds(60));
        assertThat(c.idempotencyTtl()).isEqualTo(Duration.ofHours(24));
    }

    @Test
    void shouldRedactTokensWhenLogged() {
        CommandServiceConfig c = CommandServiceConfig.fromMap(Map.of("VDA_API_TOKENS", "s3cret, other"));

        assertThat(c.apiTokens()).containsExactlyInAnyOrder("s3cret", "other");
        assertThat(c.toString()).doesNotContain("s3cret").contains("2 redacted");
    }

    @Test
    void shouldListEveryBadKeyWhenInvalid() {
        assertThatThrownBy(() -> CommandServiceConfig.fromMap(Map.of("VDA_HTTP_PORT", "99999",
                "VDA_MAX_WAIT", "soon", "VDA_ETCD_ROOT", "vda/")))
                .isInstanceOf(CommandServiceConfig.InvalidConfigException.class)
                .hasMessageContaining("VDA_HTTP_PORT").hasMessageContaining("VDA_MAX_WAIT")
                .hasMessageContaining("VDA_ETCD_ROOT");
    }

    @Test
    void shouldParseShortDurations() {
        assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Durations.parse("1500ms")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Durations.parse("PT2M")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Durations.parse("45")).isEqualTo(Duration.ofSeconds(45));
    }
}
