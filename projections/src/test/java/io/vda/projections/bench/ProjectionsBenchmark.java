package io.vda.projections.bench;

import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.kafka.KafkaBroker;
import io.vda.projections.ProjectionCluster;
import io.vda.projections.ProjectionHooks;
import io.vda.projections.Workload;
import io.vda.projections.batch.Batch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Records per second projected into etcd, on a real broker and etcd started here (not a test: run it by hand, see
 * docs/benchmarks.md). After a warm-up pass on another prefix: live, the projection runs while the records are
 * produced (in this JVM) as fast as the producer can, and the clock runs from the first record sent until etcd holds
 * the end offset of every partition; rebuild, the same records replayed from the beginning by {@code --rebuild}, from
 * start-up until caught up.
 */
public final class ProjectionsBenchmark {

    private ProjectionsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int records = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        Path work = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-");
        List<Workload.Item> workload = Workload.generate(records);
        try (EtcdServer etcd = EtcdServer.start(work.resolve("etcd"), 0, Duration.ofSeconds(60));
             KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0, Duration.ofSeconds(90));
             ProjectionCluster warmup = new ProjectionCluster(broker.bootstrapServers(), etcd.endpoint(), "warmup",
                     "/warmup");
             ProjectionCluster cluster = new ProjectionCluster(broker.bootstrapServers(), etcd.endpoint(), "bench",
                     "/bench")) {
            // A live projection is a long-running process: measure it with the JIT warm, after a first pass over
            // 30,000 records on another prefix.
            warmup.produce(Workload.generate(30_000));
            try (ProjectionCluster.Running projection = warmup.startInProcess(warmup.projectionConfig(),
                    ProjectionHooks.NONE)) {
                warmup.awaitCaughtUp(Duration.ofMinutes(5));
            }

            // Register the schemas and warm the producer outside the measurement.
            cluster.produce(workload.subList(0, 1));

            Counters live = new Counters();
            long started;
            long elapsed;
            try (ProjectionCluster.Running projection = cluster.startInProcess(config(cluster), live)) {
                cluster.awaitCaughtUp(Duration.ofSeconds(60));
                live.reset();
                started = System.nanoTime();
                cluster.produce(workload.subList(1, records));
                System.out.printf("producer: %,d records sent and acknowledged in %.2f s%n", records - 1,
                        (System.nanoTime() - started) / 1e9);
                cluster.awaitCaughtUp(Duration.ofMinutes(10));
                elapsed = System.nanoTime() - started;
            }
            long inTopics = cluster.endOffsets().values().stream().mapToLong(Long::longValue).sum();
            if (inTopics != records) {
                throw new IllegalStateException("the topics hold " + inTopics + " records, expected " + records);
            }
            report("live", records - 1, elapsed, live);

            Counters rebuild = new Counters();
            started = System.nanoTime();
            try (ProjectionCluster.Running projection = cluster.startInProcess(
                    config(cluster).withRebuild(true), rebuild)) {
                org.awaitility.Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(5))
                        .until(() -> !cluster.caughtUp()); // the wipe is visible
                cluster.awaitCaughtUp(Duration.ofMinutes(10));
                elapsed = System.nanoTime() - started;
            }
            report("rebuild", records, elapsed, rebuild);
            System.out.printf("documents in etcd: %d (and %d statuses waiting for their document)%n",
                    cluster.readableDocuments().size(),
                    cluster.documents("/bench/projection-state/unattached/").size());
            cluster.documents("/bench/projection-state/unattached/").keySet().stream().limit(3)
                    .forEach(System.out::println);
        }
    }

    /** The cluster's projection settings, with any VDA_PROJECTIONS_* of the environment on top (to experiment). */
    private static io.vda.projections.ProjectionsConfig config(ProjectionCluster cluster) {
        java.util.Map<String, String> variables = cluster.projectionVariables();
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("VDA_PROJECTIONS_")) {
                variables.put(k, v);
            }
        });
        return io.vda.projections.ProjectionsConfig.fromMap(variables);
    }

    private static void report(String name, long records, long nanos, Counters counters) {
        double seconds = nanos / 1e9;
        System.out.printf("%-8s %,d records in %.2f s = %,.0f records/s; %,d etcd transactions, %,d document ops "
                        + "(%.1f records per transaction)%n", name, records, seconds, records / seconds,
                counters.transactions.get(), counters.operations.get(),
                records / (double) Math.max(1, counters.transactions.get()));
        System.out.println("  document ops by kind: " + new java.util.TreeMap<>(counters.byKind));
        // Machine-readable (infra/bin/vda-bench collects these lines into its table)
        System.out.printf(java.util.Locale.ROOT, "RESULT|projections|%s: records/s into etcd (%,d records, %,d "
                + "etcd transactions)|%,.0f/s%n", name, records, counters.transactions.get(), records / seconds);
    }

    private static final class Counters implements ProjectionHooks {
        final AtomicLong transactions = new AtomicLong();
        final AtomicLong operations = new AtomicLong();
        final java.util.concurrent.ConcurrentHashMap<String, AtomicLong> byKind = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public void afterEtcdCommit(Batch batch) {
            transactions.incrementAndGet();
            operations.addAndGet(batch.changes().size());
            batch.changes().forEach((k, v) -> byKind.computeIfAbsent(
                    k.split("/")[2] + (k.contains("/resources/") ? "/" + k.split("/")[3] : "") + (v == null ? " del" : ""),
                    x -> new AtomicLong()).incrementAndGet());
        }

        void reset() {
            transactions.set(0);
            operations.set(0);
            byKind.clear();
        }
    }
}
