package io.vda.allocator.domain;

import static io.vda.allocator.TestCommands.GIB;
import static io.vda.allocator.TestCommands.MIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.vda.allocator.TestCommands;
import io.vda.schema.common.NodeKind;
import io.vda.schema.event.CommandStatus;
import io.vda.schema.model.DiskArray;
import io.vda.schema.model.PhysicalDisk;
import io.vda.schema.model.VirtualDiskPlacement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * Thousands of random creates, deletes and node failures; after every step the books must balance: no disk holds
 * more than it can, each disk's allocation is exactly the live arrays' virtual disks on it, no array has two
 * virtual disks on one node, and a model restored from its entities decides the same.
 */
class RandomizedPlacementTest {

    @RepeatedTest(3)
    void shouldNeverOverAllocateAndShouldFreeExactlyWhatWasTaken(RepetitionInfo repetition) {
        Random random = new Random(1000L + repetition.getCurrentRepetition());
        AllocatorFixture f = new AllocatorFixture(new AllocatorSettings(40));
        String[] locations = {"r1", "r2", "r3", "r4"};
        for (int n = 0; n < 16; n++) {
            String dn = "dn" + n;
            f.given(TestCommands.createDiskNode(dn, locations[n % locations.length]));
            for (int p = 0; p < 1 + random.nextInt(3); p++) {
                f.given(TestCommands.createPhysicalDisk(dn, "pd" + p, (1 + random.nextInt(64)) * GIB));
            }
        }
        for (int c = 0; c < 4; c++) {
            f.given(TestCommands.createControllerNode("cn" + c, ""));
        }
        Map<String, Map<String, SpecificRecord>> nodeTopics = new HashMap<>();
        f.handled.forEach(h -> fold(nodeTopics, h));
        List<String> live = new ArrayList<>();
        Set<String> failed = new HashSet<>();
        int created = 0;
        int rejected = 0;
        for (int step = 0; step < 3000; step++) {
            int dice = random.nextInt(100);
            SpecificRecord command;
            if (dice < 55 || live.isEmpty()) {
                command = TestCommands.createDiskArray("da" + step, (1 + random.nextInt(16 * 1024)) * MIB,
                        1 + random.nextInt(6), 1 + random.nextInt(3));
            } else if (dice < 95) {
                command = TestCommands.deleteDiskArray(live.get(random.nextInt(live.size())));
            } else {
                String dn = "dn" + random.nextInt(16);
                command = failed.contains(dn) ? TestCommands.markNodeRecovered(dn, NodeKind.DISK_NODE)
                        : TestCommands.markNodeFailed(dn, NodeKind.DISK_NODE);
            }
            Handled h = f.when(command);
            fold(nodeTopics, h);
            if (h.outcome().getStatus() == CommandStatus.SUCCEEDED) {
                String type = Commands.type(command);
                String name = h.outcome().getResourceName();
                switch (type) {
                    case "CreateDiskArray" -> {
                        live.add(name);
                        created++;
                    }
                    case "DeleteDiskArray" -> live.remove(name);
                    case "MarkNodeFailed" -> failed.add(name);
                    case "MarkNodeRecovered" -> failed.remove(name);
                    default -> throw new AssertionError(type);
                }
            } else {
                rejected++;
            }
            assertBooksBalance(f.model, failed);
        }
        assertThat(created).as("creates that succeeded").isGreaterThan(300);
        assertThat(rejected).as("creates rejected for capacity").isGreaterThan(10);
        assertThat(f.model.diskArrays()).hasSize(live.size());
        assertRestoredModelDecidesTheSame(f.model, random);
        assertEveryNodesDesiredStateIsWhatItsTopicHolds(f.model, nodeTopics);
    }

    /** A node topic read from the start: the latest value per key, tombstones removing. */
    private static void fold(Map<String, Map<String, SpecificRecord>> nodeTopics, Handled h) {
        for (NodeSpecChange change : h.nodeSpecs()) {
            Map<String, SpecificRecord> topic = nodeTopics.computeIfAbsent(change.nodeName(), n -> new HashMap<>());
            if (change.spec() == null) {
                topic.remove(change.objectKey());
            } else {
                topic.put(change.objectKey(), change.spec());
            }
        }
    }

    /** What a RedriveNode re-emits ({@link DesiredState#ofNode}) equals the node's topic after the whole history. */
    private static void assertEveryNodesDesiredStateIsWhatItsTopicHolds(ClusterModel model,
            Map<String, Map<String, SpecificRecord>> nodeTopics) {
        for (var entry : nodeTopics.entrySet()) {
            Map<String, SpecificRecord> reEmitted = new HashMap<>();
            DesiredState.ofNode(model, entry.getKey()).forEach(c -> reEmitted.put(c.objectKey(), c.spec()));
            assertThat(reEmitted).as(entry.getKey()).isEqualTo(entry.getValue());
        }
    }

    /** Plain checks (not AssertJ) because this runs after every one of thousands of steps. */
    private static void assertBooksBalance(ClusterModel model, Set<String> failed) {
        Map<String, Long> expected = new HashMap<>();
        long needed = 0;
        for (DiskArray da : model.diskArrays()) {
            Set<String> nodes = new HashSet<>();
            for (VirtualDiskPlacement vd : da.getVirtualDisks()) {
                expected.merge(vd.getDnName() + "/" + vd.getPdName(), vd.getSizeBytes(), Long::sum);
                check(nodes.add(vd.getDnName()), "two VDs of " + da.getDaName() + " on " + vd.getDnName());
            }
            check(da.getPhysicalSizeBytes() == (long) da.getStripCnt()
                    * LvstoreGeometry.virtualDiskBytes(da.getSizeBytes(), da.getStripCnt(), da.getStripSizeKb()),
                    "physical size of " + da.getDaName());
            needed += da.getPhysicalSizeBytes();
        }
        long allocated = 0;
        for (PhysicalDisk pd : model.physicalDisks()) {
            String disk = pd.getDnName() + "/" + pd.getPdName();
            long used = model.allocatedBytes(pd.getDnName(), pd.getPdName());
            check(used <= pd.getUsableBytes(), disk + " over-allocated: " + used + " > " + pd.getUsableBytes());
            check(used == expected.getOrDefault(disk, 0L), disk + " allocation " + used + " is not its VDs' "
                    + expected.getOrDefault(disk, 0L));
            boolean eligible = !failed.contains(pd.getDnName()) && model.diskNodeAcceptsVirtualDisks(pd.getDnName());
            check(model.placementIndex().contains(pd.getDnName(), pd.getPdName()) == eligible,
                    disk + " in the index: expected " + eligible);
            allocated += used;
        }
        check(allocated == needed, "allocated " + allocated + " != live arrays' " + needed);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new AssertionError(message);
        }
    }

    private static void assertRestoredModelDecidesTheSame(ClusterModel model, Random random) {
        List<SpecificRecord> entities = new ArrayList<>();
        entities.addAll(model.diskNodes());
        entities.addAll(model.physicalDisks());
        entities.addAll(model.controllerNodes());
        entities.addAll(model.diskArrays());
        for (var dn : model.diskNodes()) {
            if (model.isFailed(dn.getDnName())) {
                entities.add(new io.vda.schema.event.NodeFailed(null, dn.getDnName(), NodeKind.DISK_NODE,
                        TestCommands.T0, List.of()));
            }
        }
        ClusterModel restored = ClusterModel.restore(model.settings(), entities);
        for (int i = 0; i < 50; i++) {
            var command = TestCommands.createDiskArray("probe" + i, (1 + random.nextInt(8 * 1024)) * MIB,
                    1 + random.nextInt(4), 1 + random.nextInt(2));
            assertThat(Allocator.decide(restored, command, TestCommands.T0))
                    .isEqualTo(Allocator.decide(model, command, TestCommands.T0));
        }
    }
}
