package io.vda.allocator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AllocatorConfigTest {

    @Test
    void shouldUseTheDocumentedDefaultsWhenNothingIsSet() {
        AllocatorConfig config = AllocatorConfig.fromMap(Map.of());

        assertThat(config.bootstrapServers()).isEqualTo("127.0.0.1:9092");
        assertThat(config.topicPrefix()).isEqualTo("vda");
        assertThat(config.etcdEndpoints()).isEqualTo("http://127.0.0.1:2379");
        assertThat(config.applicationId()).isEqualTo("vda-allocator");
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(100));
        assertThat(config.outcomeRetention()).isEqualTo(Duration.ofDays(7));
        assertThat(config.maxVirtualDisksPerDiskNode()).isEqualTo(1024);
        assertThat(config.describe()).containsKeys(AllocatorConfig.VARIABLES.stream()
                .map(io.vda.schema.config.Setting::name).toArray(String[]::new));
    }

    @Test
    void shouldReadEveryKindOfValue() {
        AllocatorConfig config = AllocatorConfig.fromMap(Map.of(
                "VDA_TOPIC_PREFIX", "test1",
                "VDA_ALLOCATOR_STATE_DIR", "/tmp/x",
                "VDA_ALLOCATOR_COMMIT_INTERVAL", "PT0.25S",
                "VDA_ALLOCATOR_OUTCOME_RETENTION", "36h",
                "VDA_ALLOCATOR_MAX_VDS_PER_DISK_NODE", "64"));

        assertThat(config.topics().commands()).isEqualTo("test1.commands");
        assertThat(config.stateDir()).isEqualTo(Path.of("/tmp/x"));
        assertThat(config.commitInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.outcomeRetention()).isEqualTo(Duration.ofHours(36));
        assertThat(config.settings().maxVirtualDisksPerDiskNode()).isEqualTo(64);
    }

    @Test
    void shouldFailFastListingEveryInvalidVariable() {
        assertThatThrownBy(() -> AllocatorConfig.fromMap(Map.of(
                "VDA_TOPIC_PREFIX", "bad prefix!",
                "VDA_ALLOCATOR_COMMIT_INTERVAL", "soon",
                "VDA_ALLOCATOR_MAX_VDS_PER_DISK_NODE", "0")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("VDA_TOPIC_PREFIX")
                .hasMessageContaining("VDA_ALLOCATOR_COMMIT_INTERVAL=soon")
                .hasMessageContaining("VDA_ALLOCATOR_MAX_VDS_PER_DISK_NODE=0");
    }
}
