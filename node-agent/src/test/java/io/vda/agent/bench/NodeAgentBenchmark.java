package io.vda.agent.bench;

import static io.vda.agent.testing.Specs.MIB;

import io.vda.agent.desired.DesiredStateStore;
import io.vda.agent.reconcile.NodeContext;
import io.vda.agent.reconcile.NodeReconciler;
import io.vda.agent.reconcile.PassReport;
import io.vda.agent.reconcile.Trigger;
import io.vda.agent.spdk.ListenAddress;
import io.vda.agent.testing.EmulatedSpdk;
import io.vda.agent.testing.Specs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Benchmark (a runnable main, not a test): a disk node with N virtual disks (default 1,000) on one emulated SPDK
 * target, converged from empty, then reconcile passes with nothing to do. Prints wall time and SPDK calls.
 *
 * Arguments: [VD count, default 1000] [parallelism, default 16]. Command: see docs/benchmarks.md "## Node agent".
 */
public final class NodeAgentBenchmark {

    private NodeAgentBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int vds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : NodeReconciler.DEFAULT_PARALLELISM;
        Path dir = Files.createTempDirectory("vda-agent-bench");
        try (EmulatedSpdk dn = EmulatedSpdk.start(dir, "bench-dn")) {
            DesiredStateStore store = new DesiredStateStore();
            store.apply("pd/pd0", Specs.mallocPd("pd0", (vds + 16L) * 4 * MIB));
            for (int i = 0; i < vds; i++) {
                store.apply("vd/da" + i + "/0", Specs.vd("da" + i, 0, "pd0", 4 * MIB, "cn1", 1));
            }
            NodeReconciler reconciler = new NodeReconciler(new NodeContext("bench-dn", NodeContext.NodeRole.DISK,
                    ListenAddress.tcp("127.0.0.1", dn.port)), dn.client, (da, e, u) -> { }, parallelism);
            // No warm-up: the first pass from empty is what an operator sees.
            long t0 = System.nanoTime();
            PassReport build = reconciler.reconcile(store.snapshot(), Trigger.STARTUP);
            long buildNanos = System.nanoTime() - t0;
            long notOk = build.objects().values().stream().filter(r -> r.state() != PassReport.State.OK).count();
            System.out.printf(Locale.ROOT, "parallelism %d: converge %d VDs from empty: %.2f s, %d mutating SPDK calls, %d read calls,"
                    + " %d rounds, %d objects not OK%n", parallelism, vds, buildNanos / 1e9, build.mutatingCalls(),
                    build.readCalls(), build.rounds(), notOk);
            System.out.printf(Locale.ROOT, "RESULT|node agent|converge %,d VDs from empty (%,d mutating SPDK calls, "
                    + "%d not OK)|%.2f s%n", vds, build.mutatingCalls(), notOk, buildNanos / 1e9);
            int idlePasses = 10;
            long total = 0;
            long worst = 0;
            int calls = 0;
            int reads = 0;
            for (int i = 0; i < idlePasses; i++) {
                long s = System.nanoTime();
                PassReport idle = reconciler.reconcile(store.snapshot(), Trigger.TIMER);
                long d = System.nanoTime() - s;
                total += d;
                worst = Math.max(worst, d);
                calls += idle.mutatingCalls();
                reads = idle.readCalls();
            }
            System.out.printf(Locale.ROOT, "idle pass over %d VDs: mean %.1f ms, worst %.1f ms, %d mutating calls in"
                    + " %d passes, %d read calls per pass%n", vds, total / 1e6 / idlePasses, worst / 1e6, calls,
                    idlePasses, reads);
            System.out.printf(Locale.ROOT, "RESULT|node agent|idle pass over %,d VDs, mean of %d (%d mutating "
                    + "calls)|%.1f ms%n", vds, idlePasses, calls, total / 1e6 / idlePasses);
            long r0 = System.nanoTime();
            io.vda.agent.reconcile.Observed observed = io.vda.agent.reconcile.Observed.read(dn.client);
            long r1 = System.nanoTime();
            io.vda.agent.reconcile.Planner.plan(new NodeContext("bench-dn", NodeContext.NodeRole.DISK,
                    ListenAddress.tcp("127.0.0.1", dn.port)), store.snapshot(), observed);
            long r2 = System.nanoTime();
            System.out.printf(Locale.ROOT, "  of which reading SPDK's state %.1f ms, planning %.1f ms%n", (r1 - r0) / 1e6,
                    (r2 - r1) / 1e6);
        }
    }
}
