package io.vda.command.bench;

import io.vda.command.CommandService;
import io.vda.command.CommandServiceConfig;
import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepted commands per second and latency of {@code POST /v1/disk-arrays} without wait, at a fixed concurrency:
 * a real Kafka broker and etcd (child processes), the gateway in this JVM, and {@code concurrency} closed-loop
 * clients (each sends its next request when the previous one is answered). Every request is a distinct disk array,
 * so each costs one etcd transaction (idempotency entry) and one Kafka record (acks=all).
 *
 * <p>Usage: {@code CommandGatewayBenchmark [concurrency levels, e.g. 8,32 (32)] [seconds=20] [warmupSeconds=5]
 * [docFile=docs/benchmarks.md|-]}
 * Prints the result and writes it into {@code docs/benchmarks.md} under "## Command gateway" (unless docFile is -).
 */
public final class CommandGatewayBenchmark {

    public static void main(String[] args) throws Exception {
        int[] levels = Arrays.stream((args.length > 0 ? args[0] : "32").split(",")).mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        int warmup = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        String docFile = args.length > 3 ? args[3] : "docs/benchmarks.md";

        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-cluster-");
        try (EtcdServer etcd = EtcdServer.start(work.resolve("etcd"), 0, Duration.ofSeconds(60));
                KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0, Duration.ofSeconds(90));
                CommandService gateway = CommandService.start(CommandServiceConfig.fromMap(Map.of(
                        "VDA_HTTP_PORT", "0",
                        "VDA_KAFKA_BOOTSTRAP", broker.bootstrapServers(),
                        "VDA_TOPIC_PREFIX", "bench",
                        "VDA_ETCD_ENDPOINTS", etcd.endpoint(),
                        "VDA_ETCD_ROOT", "/bench")))) {
            String url = "http://127.0.0.1:" + gateway.port() + "/v1/disk-arrays";
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            StringBuilder rows = new StringBuilder();
            for (int concurrency : levels) {
                System.out.printf("Warming up for %ds at concurrency %d ...%n", warmup, concurrency);
                run(http, url, concurrency, Duration.ofSeconds(warmup), "warm" + concurrency);
                System.out.printf("Measuring for %ds ...%n", seconds);
                Result r = run(http, url, concurrency, Duration.ofSeconds(seconds), "bench" + concurrency);
                String row = r.describe(concurrency) + " " + loadAverage() + " |";
                System.out.println(row);
                rows.append(row).append('\n');
            }
            String text = rows.toString().stripTrailing();
            String concurrency = args.length > 0 ? args[0] : "32";
            String stages = String.format(Locale.ROOT, "idempotency_claim %.1f ms, kafka_publish %.1f ms",
                    gateway.metrics().stageMeanSeconds("idempotency_claim") * 1000,
                    gateway.metrics().stageMeanSeconds("kafka_publish") * 1000);
            System.out.println("mean " + stages + " (warm-up included)");
            if (!docFile.equals("-")) {
                writeSection(Path.of(docFile), text, stages, concurrency, seconds, warmup);
                System.out.println("Written to " + docFile);
            }
        }
    }

    record Result(long accepted, long failed, Duration elapsed, long[] latenciesNanos) {
        double perSecond() {
            return accepted / (elapsed.toNanos() / 1e9);
        }

        double percentileMs(double p) {
            if (latenciesNanos.length == 0) {
                return Double.NaN;
            }
            int index = (int) Math.ceil(p / 100.0 * latenciesNanos.length) - 1;
            return latenciesNanos[Math.max(0, Math.min(index, latenciesNanos.length - 1))] / 1e6;
        }

        String describe(int concurrency) {
            return String.format(Locale.ROOT, "| %d | %d | %.0f | %.1f | %.1f | %.1f | %.1f | %d |", concurrency,
                    accepted, perSecond(), percentileMs(50), percentileMs(99), percentileMs(99.9),
                    percentileMs(100), failed);
        }
    }

    private static Result run(HttpClient http, String url, int concurrency, Duration duration, String prefix)
            throws InterruptedException {
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicInteger names = new AtomicInteger();
        long[][] perClient = new long[concurrency][];
        int[] counts = new int[concurrency];
        CountDownLatch done = new CountDownLatch(concurrency);
        long start = System.nanoTime();
        long end = start + duration.toNanos(); // each client stops at the end of the window
        for (int c = 0; c < concurrency; c++) {
            int client = c;
            perClient[c] = new long[1 << 16];
            Thread t = new Thread(() -> {
                try {
                    while (System.nanoTime() < end) {
                        String body = "{\"daName\":\"" + prefix + "-" + names.incrementAndGet()
                                + "\",\"sizeBytes\":1073741824}";
                        HttpRequest request = HttpRequest.newBuilder(URI.create(url))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
                        long t0 = System.nanoTime();
                        int status;
                        try {
                            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
                        } catch (IOException e) {
                            status = -1;
                        }
                        long latency = System.nanoTime() - t0;
                        if (status == 202) {
                            accepted.incrementAndGet();
                            if (counts[client] == perClient[client].length) {
                                perClient[client] = Arrays.copyOf(perClient[client], counts[client] * 2);
                            }
                            perClient[client][counts[client]++] = latency;
                        } else {
                            failed.incrementAndGet();
                        }
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    done.countDown();
                }
            }, "bench-client-" + c);
            t.start();
        }
        done.await();
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        long[] all = new long[Arrays.stream(counts).sum()];
        int offset = 0;
        for (int c = 0; c < concurrency; c++) {
            System.arraycopy(perClient[c], 0, all, offset, counts[c]);
            offset += counts[c];
        }
        Arrays.sort(all);
        return new Result(accepted.get(), failed.get(), elapsed, all);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static void writeSection(Path doc, String row, String stages, String concurrency, int seconds, int warmup)
            throws IOException {
        String heading = "## Command gateway";
        String section = heading + "\n\n"
                + "`POST /v1/disk-arrays` without wait (answered 202 once the idempotency entry is in etcd and the"
                + " command is acknowledged by Kafka with acks=all), closed-loop clients at a fixed concurrency,"
                + " each request a new disk array. Broker (KRaft, one node) and etcd as child processes; gateway"
                + " and clients in one JVM.\n\n"
                + "machine: 2 cores, 24 GiB, everything colocated (" + LocalDate.now() + ", "
                + Runtime.version() + ")\n\n"
                + "```\nmvn -B -o -q -pl command-service -am test-compile dependency:build-classpath"
                + " -Dmdep.outputFile=target/test.cp -Dmdep.includeScope=test\n"
                + "java -cp command-service/target/test-classes:command-service/target/classes:$(cat"
                + " command-service/target/test.cp) io.vda.command.bench.CommandGatewayBenchmark " + concurrency
                + " " + seconds + " " + warmup + "\n```\n\n"
                + "| concurrency | accepted | commands/s | p50 ms | p99 ms | p99.9 ms | max ms | failed | load avg (1m) |\n"
                + "|---|---|---|---|---|---|---|---|---|\n" + row + "\n\n"
                + "The write path is two durable round trips in sequence: the idempotency entry (an etcd transaction,"
                + " fsync) and the Kafka record (acks=all); the mean of each step over the run: "
                + stages + ". The load average shows how busy the shared machine was (other benchmarks"
                + " and builds ran alongside); on an idle machine etcd writes take about 3 ms (measured-facts.md).\n";
        String existing = Files.exists(doc) ? Files.readString(doc) : "# Benchmarks\n";
        int at = existing.indexOf(heading + "\n");
        String updated;
        if (at < 0) {
            updated = existing.stripTrailing() + "\n\n" + section;
        } else {
            int next = existing.indexOf("\n## ", at + heading.length());
            updated = existing.substring(0, at) + section + (next < 0 ? "" : existing.substring(next + 1));
        }
        Files.createDirectories(doc.toAbsolutePath().getParent());
        Files.writeString(doc, updated);
    }

}
