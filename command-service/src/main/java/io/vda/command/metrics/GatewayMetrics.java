package io.vda.command.metrics;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's Prometheus metrics, written in the text exposition format (0.0.4) without a metrics library:
 * <ul>
 *   <li>{@code vda_gateway_http_requests_total{method,route,status}}: counter</li>
 *   <li>{@code vda_gateway_http_request_duration_seconds{method,route}}: histogram</li>
 *   <li>{@code vda_gateway_commands_published_total{command}}: counter</li>
 *   <li>{@code vda_gateway_publish_errors_total{reason}}: counter (unavailable, error)</li>
 *   <li>{@code vda_gateway_idempotent_replays_total}: counter</li>
 *   <li>{@code vda_gateway_waits_total{result}}: counter (decided, timeout)</li>
 *   <li>{@code vda_gateway_stage_duration_seconds{stage}}: histogram of the write path's steps
 *       ({@code idempotency_claim} in etcd, {@code kafka_publish} until acks=all)</li>
 * </ul>
 */
public final class GatewayMetrics {

    static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<String, LongAdder> counters = new ConcurrentHashMap<>();
    private final Map<String, Histogram> histograms = new ConcurrentHashMap<>();
    private final Map<String, Histogram> stages = new ConcurrentHashMap<>();

    public void request(String method, String route, int status, long nanos) {
        count("vda_gateway_http_requests_total", "method=\"" + method + "\",route=\"" + route + "\",status=\"" + status + "\"");
        histograms.computeIfAbsent("method=\"" + method + "\",route=\"" + route + "\"", k -> new Histogram())
                .observe(nanos / 1e9);
    }

    public void stage(String stage, long nanos) {
        stages.computeIfAbsent("stage=\"" + stage + "\"", k -> new Histogram()).observe(nanos / 1e9);
    }

    /** Mean seconds of a stage so far (for benchmarks and tests). */
    public double stageMeanSeconds(String stage) {
        Histogram h = stages.get("stage=\"" + stage + "\"");
        return h == null || h.count.sum() == 0 ? 0 : h.sum.sum() / h.count.sum();
    }

    public void published(String commandType) {
        count("vda_gateway_commands_published_total", "command=\"" + commandType + "\"");
    }

    public void publishError(String reason) {
        count("vda_gateway_publish_errors_total", "reason=\"" + reason + "\"");
    }

    public void idempotentReplay() {
        count("vda_gateway_idempotent_replays_total", "");
    }

    public void waited(String result) {
        count("vda_gateway_waits_total", "result=\"" + result + "\"");
    }

    private void count(String name, String labels) {
        counters.computeIfAbsent(name + "{" + labels + "}", k -> new LongAdder()).increment();
    }

    public long counter(String name, String labels) {
        LongAdder adder = counters.get(name + "{" + labels + "}");
        return adder == null ? 0 : adder.sum();
    }

    /** The exposition text, families sorted by name. */
    public String scrape() {
        StringBuilder out = new StringBuilder();
        Map<String, String> help = Map.of(
                "vda_gateway_http_requests_total", "HTTP requests by method, route and status.",
                "vda_gateway_commands_published_total", "Commands published to Kafka, by command type.",
                "vda_gateway_publish_errors_total", "Commands that could not be published.",
                "vda_gateway_idempotent_replays_total", "Writes answered from an earlier request with the same key.",
                "vda_gateway_waits_total", "Writes that waited for their outcome, by result.");
        Map<String, Map<String, Long>> families = new TreeMap<>();
        help.keySet().forEach(name -> families.put(name, new TreeMap<>()));
        counters.forEach((key, adder) -> {
            String name = key.substring(0, key.indexOf('{'));
            families.computeIfAbsent(name, k -> new TreeMap<>()).put(key, adder.sum());
        });
        families.forEach((name, series) -> {
            out.append("# HELP ").append(name).append(' ').append(help.getOrDefault(name, name)).append('\n');
            out.append("# TYPE ").append(name).append(" counter\n");
            series.forEach((key, value) -> out.append(key.replace("{}", "")).append(' ').append(value).append('\n'));
        });
        String h = "vda_gateway_http_request_duration_seconds";
        out.append("# HELP ").append(h).append(" HTTP request latency by method and route.\n");
        out.append("# TYPE ").append(h).append(" histogram\n");
        new TreeMap<>(histograms).forEach((labels, histogram) -> histogram.write(out, h, labels));
        String st = "vda_gateway_stage_duration_seconds";
        out.append("# HELP ").append(st).append(" Duration of the write path's steps.\n");
        out.append("# TYPE ").append(st).append(" histogram\n");
        new TreeMap<>(stages).forEach((labels, histogram) -> histogram.write(out, st, labels));
        return out.toString();
    }

    private static final class Histogram {
        final AtomicLongArray buckets = new AtomicLongArray(BUCKETS.length);
        final LongAdder count = new LongAdder();
        final DoubleAdder sum = new DoubleAdder();

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    buckets.incrementAndGet(i);
                    break;
                }
            }
            count.increment();
            sum.add(seconds);
        }

        void write(StringBuilder out, String name, String labels) {
            long cumulative = 0;
            for (int i = 0; i < BUCKETS.length; i++) {
                cumulative += buckets.get(i);
                out.append(name).append("_bucket{").append(labels).append(",le=\"")
                        .append(String.format(Locale.ROOT, "%s", BUCKETS[i])).append("\"} ").append(cumulative).append('\n');
            }
            long total = count.sum();
            out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(total).append('\n');
            out.append(name).append("_sum{").append(labels).append("} ")
                    .append(String.format(Locale.ROOT, "%.6f", sum.sum())).append('\n');
            out.append(name).append("_count{").append(labels).append("} ").append(total).append('\n');
        }
    }
}
