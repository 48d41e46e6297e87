package io.vda.agent.spdk.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.agent.spdk.SpdkClient;
import io.vda.infra.spdk.SpdkEmulatorProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * JSON-RPC round trips per second through {@link SpdkClient} against an SPDK emulator in its own process (or the
 * socket given with {@code --socket}): a cheap call (spdk_get_version) one at a time and pipelined, and
 * bdev_get_bdevs with 1,000 bdevs. Not a test: run it by hand, see docs/benchmarks.md.
 */
public final class SpdkRpcBenchmark {
    private static final Duration WARMUP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(5);
    private static final int BDEVS = 1000;
    private static final int WINDOW = 32;

    private SpdkRpcBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path socket = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--socket")) {
                socket = Path.of(args[++i]);
            }
        }
        SpdkEmulatorProcess process = null;
        Path dir = Files.createTempDirectory("spdk-bench");
        if (socket == null) {
            socket = dir.resolve("bench.sock");
            // A long-running node's JVM (full JIT), unlike the quick-start options of test nodes.
            process = SpdkEmulatorProcess.start(socket, "127.0.0.1", dir.resolve("emulator.log"),
                    Duration.ofSeconds(60), List.of("-Xmx256m", "-XX:+UseSerialGC"));
        }
        try (SpdkClient spdk = SpdkClient.connect(socket, Duration.ofSeconds(30))) {
            System.out.printf("SPDK JSON-RPC benchmark against %s (%s), %d cores visible, warm-up %ss, measure %ss%n",
                    spdk.getVersion().version(), process == null ? "socket " + socket : "emulator process",
                    Runtime.getRuntime().availableProcessors(), WARMUP.toSeconds(), MEASURE.toSeconds());
            sequential(spdk, "spdk_get_version, one at a time", "spdk_get_version", null);
            pipelined(spdk, "spdk_get_version, pipelined (window " + WINDOW + ")", "spdk_get_version");
            long t0 = System.nanoTime();
            for (int i = 0; i < BDEVS; i++) {
                spdk.createMallocBdev("bench" + i, 8, 4096);
            }
            double createSec = (System.nanoTime() - t0) / 1e9;
            System.out.printf("%-45s %10.0f calls/s%n", "bdev_malloc_create x" + BDEVS + ", one at a time",
                    BDEVS / createSec);
            int bytes = spdk.call("bdev_get_bdevs", null).toString().length();
            sequential(spdk, "bdev_get_bdevs with " + BDEVS + " bdevs (" + bytes / 1024 + " KiB)", "bdev_get_bdevs",
                    null);
            sequential(spdk, "bdev_get_bdevs name=bench500 (1 of " + BDEVS + ")", "bdev_get_bdevs",
                    Map.of("name", "bench500"));
        } finally {
            if (process != null) {
                process.close();
            }
        }
    }

    private static void sequential(SpdkClient spdk, String label, String method, Object params) {
        run(spdk, method, params, WARMUP);
        long[] lat = run(spdk, method, params, MEASURE);
        int n = lat.length;
        Arrays.sort(lat);
        System.out.printf("%-45s %10.0f calls/s   p50 %6.3f ms   p99 %6.3f ms%n", label,
                n / (MEASURE.toNanos() / 1e9), lat[n / 2] / 1e6, lat[(int) (n * 0.99)] / 1e6);
    }

    private static long[] run(SpdkClient spdk, String method, Object params, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        long[] lat = new long[1 << 16];
        int n = 0;
        while (System.nanoTime() < end) {
            long t = System.nanoTime();
            JsonNode r = spdk.call(method, params);
            if (r == null) {
                throw new IllegalStateException("no result");
            }
            if (n == lat.length) {
                lat = Arrays.copyOf(lat, n * 2);
            }
            lat[n++] = System.nanoTime() - t;
        }
        return Arrays.copyOf(lat, n);
    }

    private static void pipelined(SpdkClient spdk, String label, String method) {
        pipe(spdk, method, WARMUP);
        long n = pipe(spdk, method, MEASURE);
        System.out.printf("%-45s %10.0f calls/s%n", label, n / (MEASURE.toNanos() / 1e9));
    }

    private static long pipe(SpdkClient spdk, String method, Duration d) {
        long end = System.nanoTime() + d.toNanos();
        Deque<CompletableFuture<JsonNode>> inFlight = new ArrayDeque<>();
        long done = 0;
        while (System.nanoTime() < end) {
            while (inFlight.size() < WINDOW) {
                inFlight.add(spdk.callAsync(method, null));
            }
            inFlight.poll().join();
            done++;
        }
        while (!inFlight.isEmpty()) {
            inFlight.poll().join();
        }
        return done;
    }
}
