package io.vda.projections;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ProjectionsConfigTest {

    @Test
    void shouldUseTheDocumentedDefaults() {
        ProjectionsConfig config = ProjectionsConfig.defaults();

        assertThat(config.kafkaBootstrap()).isEqualTo("127.0.0.1:9092");
        assertThat(config.topicPrefix()).isEqualTo("vda");
        assertThat(config.etcdEndpoints()).containsExactly("http://127.0.0.1:2379");
        assertThat(config.etcdRoot()).isEqualTo("/vda");
        assertThat(config.groupId()).isEqualTo("vda-projections");
        assertThat(config.txnMaxOperations()).isEqualTo(128);
        assertThat(config.outcomeRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.rebuild()).isFalse();
    }

    @Test
    void shouldReadEveryVariable() {
        ProjectionsConfig config = ProjectionsConfig.fromMap(Map.of(
                "VDA_KAFKA_BOOTSTRAP", "127.0.0.1:19092",
                "VDA_TOPIC_PREFIX", "t1",
                "VDA_ETCD_ENDPOINTS", "http://127.0.0.1:1, http://127.0.0.1:2",
                "VDA_ETCD_ROOT", "/t1",
                "VDA_PROJECTIONS_TXN_MAX_OPS", "64",
                "VDA_PROJECTIONS_OUTCOME_RETENTION", "PT1H",
                "VDA_PROJECTIONS_POLL_TIMEOUT", "50ms",
                "VDA_PROJECTIONS_REBUILD", "true"));

        assertThat(config.etcdEndpoints()).isEqualTo(List.of("http://127.0.0.1:1", "http://127.0.0.1:2"));
        assertThat(config.txnMaxOperations()).isEqualTo(64);
        assertThat(config.outcomeRetention()).isEqualTo(Duration.ofHours(1));
        assertThat(config.pollTimeout()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.rebuild()).isTrue();
        assertThat(config.topics().events()).isEqualTo("t1.events");
    }

    @Test
    void shouldFailFastOnAnInvalidValueNamingTheVariable() {
        assertThatThrownBy(() -> ProjectionsConfig.fromMap(Map.of("VDA_PROJECTIONS_TXN_MAX_OPS", "1")))
                .hasMessageContaining("VDA_PROJECTIONS_TXN_MAX_OPS");
        assertThatThrownBy(() -> ProjectionsConfig.fromMap(Map.of("VDA_ETCD_ROOT", "vda/")))
                .hasMessageContaining("etcd root");
        assertThatThrownBy(() -> ProjectionsConfig.fromMap(Map.of("VDA_PROJECTIONS_OWNER_TTL", "soon")))
                .hasMessageContaining("VDA_PROJECTIONS_OWNER_TTL");
    }
}
