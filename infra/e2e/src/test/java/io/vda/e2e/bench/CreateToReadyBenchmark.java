package io.vda.e2e.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.vda.schema.EtcdKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * CreateDiskArray from HTTP to "ready" in etcd, against a running system (e.g. {@code infra/bin/vda-local up}): at
 * each concurrency, that many closed-loop clients each POST a new disk array (no wait) and wait until an etcd watch
 * on the disk-array documents shows it {@code ready} (every VD, controller object on every node reported OK), then
 * post the next. Latency = POST sent → ready document seen; throughput = arrays ready per second of the measured
 * window. Between concurrencies every array made is deleted and their documents awaited gone (not measured).
 *
 * <p>Usage: {@code CreateToReadyBenchmark [--api URL] [--etcd URL] [--etcd-root /vda] [--concurrency 1,8,32]
 * [--seconds 15] [--warmup 5] [--size-mib 8] [--strip-cnt 1] [--cntlr-cnt 1]}; {@code VDA_API_TOKEN} if the gateway
 * wants a bearer token. Prints a table and one {@code RESULT|…} line per concurrency.
 */
public final class CreateToReadyBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String api;
    private final String token = System.getenv("VDA_API_TOKEN");
    private final Client etcd;
    private final EtcdKeys keys;
    private final Map<String, Object> shape;
    /** Disk array name → completed with System.nanoTime() when its document is first seen ready. */
    private final Map<String, CompletableFuture<Long>> ready = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Void>> gone = new ConcurrentHashMap<>();

    private CreateToReadyBenchmark(String api, Client etcd, EtcdKeys keys, Map<String, Object> shape) {
        this.api = api;
        this.etcd = etcd;
        this.keys = keys;
        this.shape = shape;
    }

    private record Level(int concurrency, int ready, int failed, double seconds, List<Long> latenciesMicros,
            List<Long> acceptMicros) {
        double rate() {
            return ready / seconds;
        }
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> opts = options(args);
        String api = opts.getOrDefault("api", System.getenv().getOrDefault("VDA_API_URL", "http://127.0.0.1:8080"));
        String etcdUrl = opts.getOrDefault("etcd", "http://127.0.0.1:12379");
        String root = opts.getOrDefault("etcd-root", "/vda");
        List<Integer> levels = new ArrayList<>();
        for (String c : opts.getOrDefault("concurrency", "1,8,32").split(",")) {
            levels.add(Integer.parseInt(c.trim()));
        }
        int seconds = Integer.parseInt(opts.getOrDefault("seconds", "15"));
        int warmup = Integer.parseInt(opts.getOrDefault("warmup", "5"));
        Map<String, Object> shape = Map.of(
                "sizeBytes", Long.parseLong(opts.getOrDefault("size-mib", "8")) << 20,
                "stripCnt", Integer.parseInt(opts.getOrDefault("strip-cnt", "1")),
                "cntlrCnt", Integer.parseInt(opts.getOrDefault("cntlr-cnt", "1")));
        try (Client etcd = Client.builder().endpoints(etcdUrl).build()) {
            CreateToReadyBenchmark bench = new CreateToReadyBenchmark(api, etcd, new EtcdKeys(root), shape);
            bench.run(levels, seconds, warmup);
        }
        System.exit(0);
    }

    private void run(List<Integer> levels, int seconds, int warmup) throws Exception {
        out("CreateDiskArray HTTP POST -> ready in etcd; api %s, disk arrays %s; %d cores; load average %s", api,
                shape, Runtime.getRuntime().availableProcessors(), loadAverage());
        ByteSequence prefix = bytes(keys.diskArraysPrefix());
        try (Watch.Watcher watcher = etcd.getWatchClient().watch(prefix,
                WatchOption.builder().isPrefix(true).build(), Watch.listener(this::onWatch))) {
            String run = Long.toString(System.currentTimeMillis() % 1_000_000, 36);
            if (warmup > 0) {
                Level w = level("w" + run, 4, warmup);
                out("warm-up: %d s at concurrency 4, %d ready", warmup, w.ready);
                deleteAll("w" + run);
            }
            List<Level> results = new ArrayList<>();
            for (int c : levels) {
                String tag = "c" + c + run;
                Level l = level(tag, c, seconds);
                results.add(l);
                print(l);
                long t0 = System.nanoTime();
                int deleted = deleteAll(tag);
                out("  (%d disk arrays deleted and their documents gone in %.1f s)", deleted,
                        (System.nanoTime() - t0) / 1e9);
            }
            out("");
            out("%11s %8s %9s %9s %9s %9s %9s %7s %14s", "concurrency", "ready", "ready/s", "p50 ms", "p90 ms",
                    "p99 ms", "max ms", "failed", "POST p50/p99");
            for (Level l : results) {
                out("%11d %8d %9.1f %9.0f %9.0f %9.0f %9.0f %7d %7.1f/%.1f", l.concurrency, l.ready, l.rate(),
                        pct(l.latenciesMicros, 50) / 1e3, pct(l.latenciesMicros, 90) / 1e3,
                        pct(l.latenciesMicros, 99) / 1e3, pct(l.latenciesMicros, 100) / 1e3, l.failed,
                        pct(l.acceptMicros, 50) / 1e3, pct(l.acceptMicros, 99) / 1e3);
            }
            for (Level l : results) {
                out("RESULT|create to ready|CreateDiskArray HTTP POST -> ready in etcd, %d clients: arrays/s, "
                        + "p50 / p99 (%d ready, %d failed)|%.1f/s, %.0f / %.0f ms", l.concurrency, l.ready, l.failed,
                        l.rate(), pct(l.latenciesMicros, 50) / 1e3, pct(l.latenciesMicros, 99) / 1e3);
            }
            out("load average at the end: %s", loadAverage());
        }
    }

    private void print(Level l) {
        out("concurrency %3d: %5d ready in %.1f s = %7.1f/s; POST->ready p50 %.0f ms, p99 %.0f ms, max %.0f ms; "
                + "%d failed", l.concurrency, l.ready, l.seconds, l.rate(), pct(l.latenciesMicros, 50) / 1e3,
                pct(l.latenciesMicros, 99) / 1e3, pct(l.latenciesMicros, 100) / 1e3, l.failed);
    }

    private void onWatch(io.etcd.jetcd.watch.WatchResponse response) {
        long seen = System.nanoTime();
        for (WatchEvent e : response.getEvents()) {
            String key = e.getKeyValue().getKey().toString(StandardCharsets.UTF_8);
            String name = key.substring(key.lastIndexOf('/') + 1);
            if (e.getEventType() == WatchEvent.EventType.DELETE) {
                CompletableFuture<Void> f = gone.get(name);
                if (f != null) {
                    f.complete(null);
                }
                continue;
            }
            CompletableFuture<Long> f = ready.get(name);
            if (f == null || f.isDone()) {
                continue;
            }
            try {
                JsonNode doc = JSON.readTree(e.getKeyValue().getValue().getBytes());
                if ("ready".equals(doc.path("state").asText())) {
                    f.complete(seen);
                }
            } catch (IOException ex) {
                f.completeExceptionally(ex);
            }
        }
    }

    /** {@code concurrency} closed-loop clients for {@code seconds}; counts arrays whose POST was sent in the window. */
    private Level level(String tag, int concurrency, int seconds) throws InterruptedException {
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Long> accepts = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger failed = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        for (int c = 0; c < concurrency; c++) {
            int client = c;
            clients.submit(() -> {
                for (int i = 0; System.nanoTime() < end; i++) {
                    String name = tag + "-" + client + "-" + i;
                    CompletableFuture<Long> seen = new CompletableFuture<>();
                    ready.put(name, seen);
                    long t0 = System.nanoTime();
                    try {
                        HttpResponse<String> r = send("POST", "/v1/disk-arrays", body(name), name);
                        accepts.add((System.nanoTime() - t0) / 1_000);
                        if (r.statusCode() != 202 && r.statusCode() != 201) {
                            failed.incrementAndGet();
                            out("  %s: POST answered %d %s", name, r.statusCode(), r.body());
                            continue;
                        }
                        long t1 = seen.get(READY_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                        latencies.add((t1 - t0) / 1_000);
                    } catch (TimeoutException e) {
                        failed.incrementAndGet();
                        out("  %s: not ready within %s", name, READY_TIMEOUT);
                    } catch (Exception e) {
                        failed.incrementAndGet();
                        out("  %s: %s", name, e);
                    }
                }
            });
        }
        clients.shutdown();
        clients.awaitTermination(seconds + READY_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
        double elapsed = (System.nanoTime() - start) / 1e9;
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        List<Long> sortedAccepts = new ArrayList<>(accepts);
        Collections.sort(sortedAccepts);
        return new Level(concurrency, sorted.size(), failed.get(), elapsed, sorted, sortedAccepts);
    }

    /** Deletes every disk array whose name starts with the tag; waits until their documents are gone. */
    private int deleteAll(String tag) throws Exception {
        var kvs = etcd.getKVClient().get(bytes(keys.diskArraysPrefix() + tag),
                GetOption.builder().isPrefix(true).withKeysOnly(true).build()).get(10, TimeUnit.SECONDS).getKvs();
        List<String> names = new ArrayList<>();
        kvs.forEach(kv -> {
            String key = kv.getKey().toString(StandardCharsets.UTF_8);
            names.add(key.substring(key.lastIndexOf('/') + 1));
        });
        ExecutorService deleters = Executors.newFixedThreadPool(8);
        List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (String name : names) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            gone.put(name, f);
            waits.add(f);
            deleters.submit(() -> {
                try {
                    HttpResponse<String> r = send("DELETE", "/v1/disk-arrays/" + name, null, "del-" + name);
                    if (r.statusCode() == 404) {
                        f.complete(null);
                    }
                } catch (Exception e) {
                    f.completeExceptionally(e);
                }
            });
        }
        deleters.shutdown();
        CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
        names.forEach(n -> {
            gone.remove(n);
            ready.remove(n);
        });
        return names.size();
    }

    private String body(String name) throws IOException {
        Map<String, Object> body = new java.util.HashMap<>(shape);
        body.put("daName", name);
        return JSON.writeValueAsString(body);
    }

    private HttpResponse<String> send(String method, String path, String body, String idempotencyKey)
            throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(30))
                .header("Idempotency-Key", idempotencyKey)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null && !token.isBlank()) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Nearest-rank percentile of sorted values; 0 when empty. */
    private static double pct(List<Long> sorted, int p) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.min(sorted.size() - 1, Math.max(0, rank - 1)));
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> opts = new java.util.HashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: --name value ...; got " + args[i]);
            }
            opts.put(args[i].substring(2), args[++i]);
        }
        return opts;
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static void out(String format, Object... args) {
        System.out.printf(Locale.ROOT, format + "%n", args);
        System.out.flush();
    }
}
