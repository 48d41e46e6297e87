package io.vda.infra;

import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * {@code vda-local up|down|status}: runs a real Kafka broker and a real etcd on loopback for a local system, as
 * background processes whose pids and endpoints are kept in {@code $VDA_LOCAL_DIR/cluster.properties}.
 */
public final class InfraMain {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private InfraMain() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> env = System.getenv();
        Path dir = Path.of(env.getOrDefault("VDA_LOCAL_DIR", ".vda-local")).toAbsolutePath();
        int kafkaPort = Integer.parseInt(env.getOrDefault("VDA_KAFKA_PORT", "19092"));
        int etcdPort = Integer.parseInt(env.getOrDefault("VDA_ETCD_PORT", "12379"));
        String command = args.length == 0 ? "status" : args[0];
        int code = switch (command) {
            case "up" -> up(dir, kafkaPort, etcdPort);
            case "down" -> down(dir);
            case "status" -> status(dir);
            default -> {
                System.err.println("usage: vda-local up|down|status   (VDA_LOCAL_DIR, VDA_KAFKA_PORT, VDA_ETCD_PORT)");
                yield 2;
            }
        };
        System.exit(code);
    }

    private static int up(Path dir, int kafkaPort, int etcdPort) throws IOException {
        Properties state = load(dir);
        if (alive(state, "kafka.pid") || alive(state, "etcd.pid")) {
            System.out.println("already running; `vda-local status` shows it");
            return 0;
        }
        Files.createDirectories(dir);
        EtcdServer etcd = EtcdServer.start(dir.resolve("etcd"), etcdPort, START_TIMEOUT);
        KafkaBroker kafka = KafkaBroker.start(dir.resolve("kafka"), kafkaPort, START_TIMEOUT);
        Map<String, String> values = new LinkedHashMap<>();
        values.put("kafka.pid", Long.toString(kafka.process().pid()));
        values.put("kafka.bootstrap", kafka.bootstrapServers());
        values.put("kafka.log", kafka.process().logFile().toString());
        values.put("etcd.pid", Long.toString(etcd.process().pid()));
        values.put("etcd.endpoint", etcd.endpoint());
        values.put("etcd.log", etcd.process().logFile().toString());
        Properties out = new Properties();
        out.putAll(values);
        try (var writer = Files.newBufferedWriter(dir.resolve("cluster.properties"))) {
            out.store(writer, "vda-local");
        }
        System.out.println("Kafka broker: " + kafka.bootstrapServers());
        System.out.println("etcd:         " + etcd.endpoint());
        System.out.println("logs and data: " + dir);
        return 0;
    }

    private static int down(Path dir) throws IOException {
        Properties state = load(dir);
        for (String key : List.of("kafka.pid", "etcd.pid")) {
            String pid = state.getProperty(key);
            if (pid != null) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(p -> {
                    p.destroy();
                    p.onExit().orTimeout(20, java.util.concurrent.TimeUnit.SECONDS)
                            .exceptionally(e -> {
                                p.destroyForcibly();
                                return p;
                            }).join();
                });
            }
        }
        Files.deleteIfExists(dir.resolve("cluster.properties"));
        System.out.println("stopped");
        return 0;
    }

    private static int status(Path dir) throws IOException {
        Properties state = load(dir);
        if (state.isEmpty()) {
            System.out.println("not running");
            return 3;
        }
        System.out.printf("kafka %s (pid %s): %s%n", state.getProperty("kafka.bootstrap"),
                state.getProperty("kafka.pid"), alive(state, "kafka.pid") ? "running" : "STOPPED");
        System.out.printf("etcd  %s (pid %s): %s%n", state.getProperty("etcd.endpoint"),
                state.getProperty("etcd.pid"), alive(state, "etcd.pid") ? "running" : "STOPPED");
        return alive(state, "kafka.pid") && alive(state, "etcd.pid") ? 0 : 1;
    }

    private static boolean alive(Properties state, String key) {
        String pid = state.getProperty(key);
        return pid != null && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive).orElse(false);
    }

    private static Properties load(Path dir) throws IOException {
        Properties state = new Properties();
        Path file = dir.resolve("cluster.properties");
        if (Files.exists(file)) {
            try (var reader = Files.newBufferedReader(file)) {
                state.load(reader);
            }
        }
        return state;
    }
}
