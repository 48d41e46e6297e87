package io.vda.infra.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerConfigTest {

    @Test
    void shouldDescribeASingleNodeKraftBrokerOnLoopbackThatSupportsTransactions(@TempDir Path dir) throws Exception {
        KafkaBrokerConfig config = new KafkaBrokerConfig(dir.resolve("data"), 19092, 19093);

        Path file = config.write(dir.resolve("server.properties"));

        assertThat(config.properties())
                .containsEntry("process.roles", "broker,controller")
                .containsEntry("controller.quorum.voters", "1@127.0.0.1:19093")
                .containsEntry("advertised.listeners", "PLAINTEXT://127.0.0.1:19092")
                .containsEntry("transaction.state.log.replication.factor", "1")
                .containsEntry("transaction.state.log.min.isr", "1")
                .containsEntry("auto.create.topics.enable", "false");
        assertThat(KafkaBrokerConfig.logDirOf(file)).isEqualTo(dir.resolve("data").toAbsolutePath().toString());
        assertThat(Files.readString(file)).contains("listeners=PLAINTEXT\\://127.0.0.1\\:19092");
    }
}
