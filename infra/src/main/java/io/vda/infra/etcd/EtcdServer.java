package io.vda.infra.etcd;

import io.vda.infra.process.ChildProcess;
import io.vda.infra.process.Ports;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A real etcd (Debian's etcd-server) on loopback, with its own data directory. */
public final class EtcdServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EtcdServer.class);
    public static final String INSTALL_HINT = "etcd was not found on PATH (or in $VDA_ETCD_BIN)."
            + " Install it with: apt-get update && apt-get install -y etcd-server etcd-client";

    private final int clientPort;
    private final ChildProcess process;

    private EtcdServer(int clientPort, ChildProcess process) {
        this.clientPort = clientPort;
        this.process = process;
    }

    /** Starts etcd with its data under {@code workDir} on the given client port (0: any free one). */
    public static EtcdServer start(Path workDir, int port, Duration timeout) {
        Path binary = findBinary().orElseThrow(() -> new IllegalStateException(INSTALL_HINT));
        int clientPort = port == 0 ? Ports.freeLoopbackPort() : port;
        int peerPort = Ports.freeLoopbackPort();
        String client = "http://127.0.0.1:" + clientPort;
        String peer = "http://127.0.0.1:" + peerPort;
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + workDir, e);
        }
        Instant started = Instant.now();
        ChildProcess process = ChildProcess.start("etcd", List.of(binary.toString(),
                "--name", "default",
                "--data-dir", workDir.resolve("data").toString(),
                "--listen-client-urls", client,
                "--advertise-client-urls", client,
                "--listen-peer-urls", peer,
                "--initial-advertise-peer-urls", peer,
                "--initial-cluster", "default=" + peer,
                // One member on loopback: short timers make it leader in a fraction of a second.
                "--heartbeat-interval", "10",
                "--election-timeout", "100",
                "--log-level", "warn"), workDir.resolve("etcd.log"));
        EtcdServer server = new EtcdServer(clientPort, process);
        server.awaitHealthy(started.plus(timeout));
        LOG.info("etcd ready at {} in {} ms (pid {})", server.endpoint(),
                Duration.between(started, Instant.now()).toMillis(), process.pid());
        return server;
    }

    static Optional<Path> findBinary() {
        String configured = System.getenv("VDA_ETCD_BIN");
        if (configured != null && !configured.isBlank()) {
            return Optional.of(Path.of(configured)).filter(Files::isExecutable);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, "etcd");
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    private void awaitHealthy(Instant deadline) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
        HttpRequest health = HttpRequest.newBuilder(URI.create(endpoint() + "/health"))
                .timeout(Duration.ofSeconds(1)).build();
        while (true) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited during start-up; log " + process.logFile() + ":\n"
                        + process.logTail(30));
            }
            try {
                HttpResponse<String> response = http.send(health, HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 && response.body().contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for etcd", e);
            }
            if (Instant.now().isAfter(deadline)) {
                process.kill();
                throw new IllegalStateException("etcd not healthy by the deadline; log " + process.logFile() + ":\n"
                        + process.logTail(30));
            }
            try {
                Thread.sleep(20); // polling interval of a health probe, not test synchronisation
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted waiting for etcd", e);
            }
        }
    }

    public String endpoint() {
        return "http://127.0.0.1:" + clientPort;
    }

    public ChildProcess process() {
        return process;
    }

    @Override
    public void close() {
        process.stop(Duration.ofSeconds(10));
    }
}
