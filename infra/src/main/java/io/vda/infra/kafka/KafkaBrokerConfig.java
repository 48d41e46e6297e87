package io.vda.infra.kafka;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

/** server.properties of a single-node KRaft broker on loopback (combined broker and controller). */
public record KafkaBrokerConfig(Path logDir, int port, int controllerPort) {

    public Map<String, String> properties() {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        p.put("controller.listener.names", "CONTROLLER");
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        // One node: every internal topic has one replica, so transactions and exactly-once work.
        p.put("offsets.topic.replication.factor", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Few internal partitions: the default 50 cost about a second at the first group join and initTransactions.
        p.put("offsets.topic.num.partitions", "1");
        p.put("transaction.state.log.num.partitions", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "false");
        p.put("num.partitions", "1");
        // The default 128 MiB dedupe buffer does not fit a small heap.
        p.put("log.cleaner.dedupe.buffer.size", "8388608");
        p.put("log.cleaner.backoff.ms", "1000");
        return p;
    }

    public Path write(Path file) {
        Properties properties = new Properties();
        properties.putAll(properties());
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, "written by VDA infra");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        return file;
    }

    static String logDirOf(Path serverProperties) throws IOException {
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(serverProperties)) {
            properties.load(in);
        }
        return properties.getProperty("log.dirs");
    }
}
