package io.vda.e2e.bench;

import static io.vda.e2e.LocalSystem.role;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.watch.WatchEvent;
import io.vda.e2e.LocalSystem;
import io.vda.e2e.TopicRecorder;
import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.kafka.KafkaBroker;
import io.vda.schema.command.FailoverController;
import io.vda.schema.command.MarkNodeFailed;
import io.vda.schema.status.Heartbeat;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Failover time of the whole local system ({@link LocalSystem}: every component in this JVM, 4 SPDK emulator
 * processes), with the reconciler's default heartbeat grace (1 s) and the agents' default heartbeat interval (200 ms).
 *
 * <p>One disk array (2 VDs, 2 controllers, one exporter). First a steady phase: the array ready and a client creating
 * and deleting small disk arrays through the API continuously; every {@code MarkNodeFailed} then is a false failure
 * (all nodes are alive). Then per trial: the primary's agent stops; failover time is from its last heartbeat (the
 * {@code sentAt} of the last heartbeat of that incarnation on the heartbeats topic) to the disk array's document in
 * etcd showing the other controller node PRIMARY at the next epoch with its controller and exporter objects reported
 * OK at that epoch (seen by an etcd watch). The document's overall {@code state} only returns to {@code ready} once
 * the old primary is back as secondary (a failed node makes it {@code degraded}), so that is awaited after the
 * restart, before the next trial. Primaries alternate.
 *
 * <p>Usage: {@code FailoverBenchmark [trials=20] [steadySeconds=60]}.
 */
public final class FailoverBenchmark {
    private static final long MIB = 1L << 20;
    private static final String DA = "bench";
    private static final String EXP = "exp1";
    private static final String HOST_NQN = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";

    private FailoverBenchmark() {
    }

    /** Heartbeats and commands as they appear on the topics (a {@link TopicRecorder} and the queries made of it). */
    private static final class Observer implements AutoCloseable {
        private final TopicRecorder recorder;

        Observer(LocalSystem system) {
            recorder = new TopicRecorder(system.settings().bootstrapServers(), system.registry(),
                    List.of(system.topics().heartbeats(), system.topics().commands()));
        }

        List<MarkNodeFailed> nodeFailed() {
            return recorder.values(MarkNodeFailed.class, m -> true);
        }

        List<FailoverController> failovers() {
            return recorder.values(FailoverController.class, f -> true);
        }

        Instant lastHeartbeat(String incarnation) {
            return recorder.values(Heartbeat.class, h -> h.getIncarnation().equals(incarnation)).stream()
                    .map(Heartbeat::getSentAt).max(Comparator.naturalOrder()).orElse(null);
        }

        Instant firstFailover(String da, long epoch) {
            return failovers().stream().filter(f -> f.getDaName().equals(da) && f.getEpoch() == epoch)
                    .map(FailoverController::getIssuedAt).min(Comparator.naturalOrder()).orElse(null);
        }

        Instant firstNodeFailed(String node, Instant after) {
            return nodeFailed().stream().filter(m -> m.getNodeName().equals(node) && m.getIssuedAt().isAfter(after))
                    .map(MarkNodeFailed::getIssuedAt).min(Comparator.naturalOrder()).orElse(null);
        }

        @Override
        public void close() throws InterruptedException {
            recorder.close();
        }
    }

    private record Trial(String from, String to, long epoch, Instant lastHeartbeat, Instant nodeFailed,
            Instant failoverIssued, Instant primaryReady, Instant restarted, Instant stateReady) {
        long failoverMs() {
            return Duration.between(lastHeartbeat, primaryReady).toMillis();
        }

        long detectionMs() {
            return failoverIssued == null ? -1 : Duration.between(lastHeartbeat, failoverIssued).toMillis();
        }

        long afterDetectionMs() {
            return failoverIssued == null ? -1 : Duration.between(failoverIssued, primaryReady).toMillis();
        }
    }

    public static void main(String[] args) throws Exception {
        int trials = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int steadySeconds = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        Path work = Files.createTempDirectory("vda-failover-bench-");
        String prefix = "fbench" + Long.toString(System.nanoTime() % 100_000, 36);
        int code = 0;
        try (EtcdServer etcd = EtcdServer.start(work.resolve("etcd"), 0, Duration.ofSeconds(60));
                KafkaBroker broker = KafkaBroker.start(work.resolve("kafka"), 0, Duration.ofSeconds(90));
                LocalSystem system = LocalSystem.start(new LocalSystem.Settings(broker.bootstrapServers(),
                        etcd.endpoint(), prefix, "/" + prefix, work, List.of("dn1", "dn2", "cn1", "cn2"),
                        Duration.ofSeconds(1)));
                Observer observer = new Observer(system)) {
            code = run(system, observer, trials, steadySeconds);
        } finally {
            try (var paths = Files.walk(work)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        System.exit(code);
    }

    private static int run(LocalSystem system, Observer observer, int trials, int steadySeconds) throws Exception {
        system.createNodesAndArray(1024 * MIB, DA, 64 * MIB, EXP, HOST_NQN);
        out("disk array %s ready", DA);

        // Steady phase: every node alive, a client creating and deleting small disk arrays continuously
        Instant steadyStart = Instant.now();
        int failedBefore = observer.nodeFailed().size();
        Instant steadyEnd = steadyStart.plusSeconds(steadySeconds);
        AtomicLong loadOps = new AtomicLong();
        AtomicLong loadErrors = new AtomicLong();
        Thread load = new Thread(() -> {
            int i = 0;
            while (Instant.now().isBefore(steadyEnd)) {
                String name = "load" + i++;
                try {
                    int c = system.post("/v1/disk-arrays?wait=30s", Map.of("daName", name, "sizeBytes", 8 * MIB,
                            "stripCnt", 2, "cntlrCnt", 1)).statusCode();
                    int d = system.delete("/v1/disk-arrays/" + name + "?wait=30s").statusCode();
                    loadOps.addAndGet(2);
                    if (c != 201 || d != 204) {
                        loadErrors.incrementAndGet();
                    }
                } catch (Exception e) {
                    loadErrors.incrementAndGet();
                }
            }
        }, "bench-load");
        load.start();
        load.join(TimeUnit.SECONDS.toMillis(steadySeconds + 60));
        // The steady window's tail: a node failed in its last second is declared within the grace (1 s); watch
        // that long and a bit more for a new MarkNodeFailed (it is counted below either way)
        try {
            await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(3))
                    .until(() -> observer.nodeFailed().size() == failedBefore);
        } catch (ConditionTimeoutException falseFailureSeen) {
            out("a node was declared failed at the end of the steady phase");
        }
        List<MarkNodeFailed> all = observer.nodeFailed();
        List<MarkNodeFailed> falseFailures = all.subList(failedBefore, all.size());
        int falseFailovers = (int) observer.failovers().stream()
                .filter(f -> f.getIssuedAt().isAfter(steadyStart)).count();
        out("steady phase: %d s, %d API create/delete (%d not 201/204), MarkNodeFailed for live nodes: %d, "
                + "FailoverController: %d %s", steadySeconds, loadOps.get(), loadErrors.get(), falseFailures.size(),
                falseFailovers, falseFailures);
        system.awaitState(DA, "ready");

        List<Trial> results = new ArrayList<>();
        int otherNodeFailures = 0;
        for (int t = 1; t <= trials; t++) {
            JsonNode before = system.awaitState(DA, "ready");
            String primary = role(before, "PRIMARY");
            String secondary = role(before, "SECONDARY");
            long epoch = before.path("spec").path("epoch").asLong();
            int nodeFailedBefore = observer.nodeFailed().size();
            CompletableFuture<Instant> primaryReady = new CompletableFuture<>();
            ByteSequence key = ByteSequence.from(system.keys().diskArray(DA), StandardCharsets.UTF_8);
            try (Watch.Watcher watcher = system.etcd().getWatchClient().watch(key, Watch.listener(response -> {
                Instant seen = Instant.now();
                for (WatchEvent e : response.getEvents()) {
                    if (e.getEventType() != WatchEvent.EventType.PUT) {
                        continue;
                    }
                    try {
                        JsonNode doc = LocalSystem.JSON.readTree(e.getKeyValue().getValue().getBytes());
                        if (LocalSystem.newPrimaryReady(doc, DA, EXP, secondary, epoch + 1)) {
                            primaryReady.complete(seen);
                        }
                    } catch (java.io.IOException ex) {
                        primaryReady.completeExceptionally(ex);
                    }
                }
            }))) {
                String incarnation = system.node(primary).agent().incarnation();
                Instant stopping = Instant.now();
                system.stopAgent(primary);
                Instant ready = primaryReady.get(60, TimeUnit.SECONDS);
                Instant lastHeartbeat = awaitLastHeartbeat(observer, incarnation);
                Instant failoverIssued = observer.firstFailover(DA, epoch);
                Instant nodeFailed = observer.firstNodeFailed(primary, stopping.minusSeconds(5));
                Instant restarted = Instant.now();
                system.startAgent(primary);
                JsonNode after = system.awaitState(DA, "ready");
                Instant stateReady = Instant.now();
                if (!secondary.equals(role(after, "PRIMARY")) || !primary.equals(role(after, "SECONDARY"))) {
                    throw new IllegalStateException("unexpected roles after trial " + t + ": " + after);
                }
                List<MarkNodeFailed> failed = observer.nodeFailed();
                for (MarkNodeFailed m : failed.subList(nodeFailedBefore, failed.size())) {
                    if (!m.getNodeName().equals(primary)) {
                        otherNodeFailures++;
                        out("  false failure during trial %d: %s", t, m);
                    }
                }
                Trial trial = new Trial(primary, secondary, epoch, lastHeartbeat, nodeFailed, failoverIssued, ready,
                        restarted, stateReady);
                results.add(trial);
                out("trial %2d: %s -> %s epoch %d: failover %4d ms (detection %4d ms, failover command -> "
                        + "new primary ready %4d ms); old primary restarted, array ready %d ms later",
                        t, primary, secondary, epoch + 1, trial.failoverMs(), trial.detectionMs(),
                        trial.afterDetectionMs(), Duration.between(restarted, stateReady).toMillis());
            }
        }

        List<Long> total = sorted(results, Trial::failoverMs);
        List<Long> detection = sorted(results, Trial::detectionMs);
        List<Long> rest = sorted(results, Trial::afterDetectionMs);
        out("");
        out("RESULT|failover|last heartbeat -> new primary ready at the new epoch, %d trials: median / p99 / max|"
                + "%d / %d / %d ms", total.size(), percentile(total, 50), percentile(total, 99),
                total.get(total.size() - 1));
        out("RESULT|failover|of which detection (last heartbeat -> FailoverController): median / p99|%d / %d ms",
                percentile(detection, 50), percentile(detection, 99));
        out("RESULT|failover|of which FailoverController -> new primary ready: median / p99|%d / %d ms",
                percentile(rest, 50), percentile(rest, 99));
        out("RESULT|failover|false failures: steady %d s under API load (%d calls), and during the trials|"
                + "%d MarkNodeFailed, %d FailoverController; %d of other nodes", steadySeconds, loadOps.get(),
                falseFailures.size(), falseFailovers, otherNodeFailures);
        out("load average at the end: %s", loadAverage());
        return falseFailures.isEmpty() && falseFailovers == 0 && otherNodeFailures == 0 ? 0 : 1;
    }

    private static Instant awaitLastHeartbeat(Observer observer, String incarnation) {
        // Called once the failover is done, more than the grace (1 s) after the stopped agent's last heartbeat: the
        // observer, polling every 100 ms, has read it by then.
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.lastHeartbeat(incarnation) != null);
        return observer.lastHeartbeat(incarnation);
    }

    private static List<Long> sorted(List<Trial> trials, java.util.function.ToLongFunction<Trial> f) {
        List<Long> values = new ArrayList<>();
        trials.forEach(t -> values.add(f.applyAsLong(t)));
        Collections.sort(values);
        return values;
    }

    /** Nearest-rank percentile. */
    private static long percentile(List<Long> sorted, int p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim();
        } catch (java.io.IOException e) {
            return "unknown";
        }
    }

    private static void out(String format, Object... args) {
        System.out.printf(format + "%n", args);
        System.out.flush();
    }
}
