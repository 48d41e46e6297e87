package io.vda.allocator.bench;

import io.vda.allocator.domain.Allocator;
import io.vda.allocator.domain.AllocatorSettings;
import io.vda.allocator.domain.ClusterModel;
import io.vda.allocator.domain.Handled;
import io.vda.allocator.domain.LvstoreGeometry;
import io.vda.schema.command.CreateControllerNode;
import io.vda.schema.command.CreateDiskArray;
import io.vda.schema.command.CreateDiskNode;
import io.vda.schema.command.CreatePhysicalDisk;
import io.vda.schema.command.DeleteDiskArray;
import io.vda.schema.common.BdevType;
import io.vda.schema.common.NvmfListener;
import io.vda.schema.common.PhysicalDiskBacking;
import io.vda.schema.common.QosLimits;
import io.vda.schema.event.CommandStatus;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Locale;
import java.util.Random;

/**
 * Placement decisions per second at 100, 1,000 and 10,000 physical disks (a runnable main, not a test):
 * {@code java -cp allocator-stream/target/vda-allocator-stream-0.1.0-SNAPSHOT.jar
 * io.vda.allocator.bench.PlacementBenchmark [disk counts…]}.
 *
 * <p>Each size: 10 disks of 1 TiB per disk node, disk nodes spread over 10 locations, 16 controller nodes; the
 * cluster is filled with 5 live disk arrays per disk (10–100 GiB, 1–4 virtual disks, 1–2 controllers), then each
 * step deletes the oldest array and creates one, so the fill stays level. Sizes are measured in interleaved rounds
 * (median of 5) so that load from other processes hits all sizes alike; the CPU-time column is the least sensitive
 * to such load. A decision is the whole
 * {@code Allocator.handle} of a {@code CreateDiskArray}: validation, placement, controller choice, folding the event
 * into the model (index updates) and the nodes' desired state. Only creates are timed.
 */
public final class PlacementBenchmark {

    private static final long TIB = 1024L * LvstoreGeometry.GIB;
    private static final Instant NOW = Instant.parse("2026-11-25T12:00:00Z");
    private static final int DISKS_PER_NODE = 10;
    private static final int LOCATIONS = 10;

    private PlacementBenchmark() {
    }

    public static void main(String[] args) {
        int[] sizes = args.length == 0 ? new int[] {100, 1_000, 10_000}
                : Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        Bench[] benches = new Bench[sizes.length];
        for (int i = 0; i < sizes.length; i++) {
            benches[i] = new Bench(sizes[i]);
            benches[i].cycle(20_000); // warm-up
        }
        // Rounds interleave the sizes, so that load from other processes on a shared machine hits all alike.
        int rounds = 5;
        double[][] wall = new double[sizes.length][rounds];
        double[][] cpu = new double[sizes.length][rounds];
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < sizes.length; i++) {
                Result r = benches[i].cycle(20_000);
                wall[i][round] = r.decisions / (r.createNanos / 1e9);
                cpu[i][round] = r.decisions / (r.cycleCpuNanos / 1e9);
            }
        }
        System.out.printf(Locale.ROOT, "%8s %12s %16s %14s %22s %9s%n", "disks", "live arrays", "decisions/s",
                "µs/decision", "create+delete/CPU-s", "rejected");
        for (int i = 0; i < sizes.length; i++) {
            double rate = median(wall[i]);
            System.out.printf(Locale.ROOT, "%8d %12d %16.0f %14.2f %22.0f %9d%n", sizes[i], benches[i].live.size(),
                    rate, 1e6 / rate, median(cpu[i]), benches[i].rejected);
        }
        // One machine-readable line per figure (infra/bin/vda-bench collects them into its table)
        for (int i = 0; i < sizes.length; i++) {
            double rate = median(wall[i]);
            System.out.printf(Locale.ROOT, "RESULT|allocator|placement decisions/s at %,d PDs (µs/decision)|"
                    + "%,.0f/s (%.0f µs)%n", sizes[i], rate, 1e6 / rate);
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private record Result(int decisions, long createNanos, long cycleCpuNanos) {
    }

    /** One cluster of a given size, kept level by create-one/delete-oldest cycles. */
    private static final class Bench {
        final Random random;
        final ClusterModel model = new ClusterModel(AllocatorSettings.defaults());
        final ArrayDeque<String> live = new ArrayDeque<>();
        final long[] seq = {0};
        int rejected;

        Bench(int disks) {
            random = new Random(disks);
            int nodes = Math.max(1, disks / DISKS_PER_NODE);
            int port = 4420;
            for (int n = 0; n < nodes; n++) {
                String dn = "dn" + n;
                ok(Allocator.handle(model, CreateDiskNode.newBuilder().setCommandId("dn-" + n).setIssuedAt(NOW)
                        .setDnName(dn).setLocation("rack" + (n % LOCATIONS))
                        .setNvmfListener(new NvmfListener("tcp", "ipv4", "127.0.0.1", Integer.toString(port++)))
                        .build(), NOW));
                for (int p = 0; p < DISKS_PER_NODE; p++) {
                    ok(Allocator.handle(model, CreatePhysicalDisk.newBuilder().setCommandId("pd-" + n + "-" + p)
                            .setIssuedAt(NOW).setDnName(dn).setPdName("pd" + p)
                            .setBacking(new PhysicalDiskBacking(BdevType.NVME, TIB, null, "0000:00:0" + p + ".0"))
                            .build(), NOW));
                }
            }
            for (int c = 0; c < 16; c++) {
                ok(Allocator.handle(model, CreateControllerNode.newBuilder().setCommandId("cn-" + c)
                        .setIssuedAt(NOW).setCnName("cn" + c)
                        .setNvmfListener(new NvmfListener("tcp", "ipv4", "127.0.0.1", Integer.toString(port++)))
                        .build(), NOW));
            }
            for (int i = 0; i < 5 * disks; i++) {
                create(model, random, live, seq);
            }
        }

        Result cycle(int count) {
            long createNanos = 0;
            long cpuStart = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < count; i++) {
                String oldest = live.pollFirst();
                ok(Allocator.handle(model, new DeleteDiskArray("del-" + oldest, NOW, oldest), NOW));
                long start = System.nanoTime();
                boolean placed = create(model, random, live, seq);
                createNanos += System.nanoTime() - start;
                if (!placed) {
                    rejected++;
                }
            }
            return new Result(count, createNanos, THREADS.getCurrentThreadCpuTime() - cpuStart);
        }
    }

    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private static boolean create(ClusterModel model, Random random, ArrayDeque<String> live, long[] seq) {
        String name = "da" + seq[0]++;
        CreateDiskArray command = CreateDiskArray.newBuilder().setCommandId("c-" + name).setIssuedAt(NOW)
                .setDaName(name).setSizeBytes((10 + random.nextInt(91)) * LvstoreGeometry.GIB)
                .setStripCnt(1 + random.nextInt(4)).setCntlrCnt(1 + random.nextInt(2)).setStripSizeKb(64)
                .setQos(new QosLimits(0L, 0L, 0L, 0L)).build();
        Handled handled = Allocator.handle(model, command, NOW);
        if (handled.outcome().getStatus() == CommandStatus.SUCCEEDED) {
            live.addLast(name);
            return true;
        }
        return false;
    }

    private static void ok(Handled handled) {
        if (handled.outcome().getStatus() != CommandStatus.SUCCEEDED) {
            throw new IllegalStateException(handled.outcome().getMessage());
        }
    }
}
