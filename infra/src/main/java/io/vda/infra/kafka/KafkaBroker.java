package io.vda.infra.kafka;

import io.vda.infra.process.ChildProcess;
import io.vda.infra.process.Ports;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, single node, loopback) in its own JVM, from the kafka_2.13 jars on the classpath.
 * It can be stopped and started again on the same ports and data, to test what clients do while it is away.
 */
public final class KafkaBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaBroker.class);

    private final KafkaBrokerConfig config;
    private final Path workDir;
    private final List<String> jvmOptions;
    private ChildProcess process;

    private KafkaBroker(KafkaBrokerConfig config, Path workDir, List<String> jvmOptions) {
        this.config = config;
        this.workDir = workDir;
        this.jvmOptions = jvmOptions;
    }

    /** Starts a broker with its data under {@code workDir}, on the given port (0: any free one). */
    public static KafkaBroker start(Path workDir, int port, Duration timeout) {
        String heap = System.getenv().getOrDefault("VDA_KAFKA_HEAP", "384m");
        List<String> jvm = List.of("-Xmx" + heap, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-Dlog4j2.configurationFile=classpath:log4j2-kafka-broker.xml");
        KafkaBrokerConfig config = new KafkaBrokerConfig(workDir.resolve("data"),
                port == 0 ? Ports.freeLoopbackPort() : port, Ports.freeLoopbackPort());
        KafkaBroker broker = new KafkaBroker(config, workDir, jvm);
        broker.startProcess(timeout);
        return broker;
    }

    /** (Re)starts the broker process on the same ports and data. */
    public synchronized void startProcess(Duration timeout) {
        if (process != null && process.isAlive()) {
            return;
        }
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path properties = config.write(workDir.resolve("server.properties"));
        Instant started = Instant.now();
        process = ChildProcess.start("kafka-broker",
                ChildProcess.javaCommand(jvmOptions, KafkaBrokerMain.class.getName(), List.of(properties.toString())),
                workDir.resolve("broker.log"));
        awaitReady(started.plus(timeout));
        LOG.info("Kafka broker ready at {} in {} ms (pid {})", bootstrapServers(),
                Duration.between(started, Instant.now()).toMillis(), process.pid());
    }

    private void awaitReady(Instant deadline) {
        try (Admin admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers(),
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 1000,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2000,
                AdminClientConfig.RETRY_BACKOFF_MS_CONFIG, 50))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kafka broker exited during start-up; log " + process.logFile()
                            + ":\n" + process.logTail(30));
                }
                try {
                    if (!admin.describeCluster().nodes().get(2, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (Exception notYet) {
                    // not listening yet
                }
                if (Instant.now().isAfter(deadline)) {
                    process.kill();
                    throw new IllegalStateException("Kafka broker not ready by the deadline; log " + process.logFile()
                            + ":\n" + process.logTail(30));
                }
            }
        }
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + config.port();
    }

    public int port() {
        return config.port();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    public ChildProcess process() {
        return process;
    }

    /** Graceful stop; {@link #startProcess} brings it back. */
    public synchronized void stopProcess() {
        if (process != null) {
            process.stop(Duration.ofSeconds(20));
        }
    }

    @Override
    public void close() {
        stopProcess();
    }
}
