package io.vda.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.etcd.jetcd.Client;
import io.vda.reconciler.leader.LeaderElection;
import io.vda.schema.EtcdKeys;
import io.vda.schema.Topics;
import io.vda.schema.status.Heartbeat;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** Start-up before the topics exist (a first start of the whole system): the reconciler waits for them. */
class ReconcilerStartTest {

    @Test
    void shouldAssignTheHeartbeatPartitionsOnceTheTopicExists() throws Exception {
        Topics topics = new Topics("start");
        MockConsumer<String, Heartbeat> heartbeats = new MockConsumer<>("earliest");
        // etcd is unreachable here: leadership is never won, which this test does not need
        try (Client etcd = Client.builder().endpoints("http://127.0.0.1:1").build()) {
            EtcdKeys keys = new EtcdKeys("/start");
            Reconciler reconciler = new Reconciler(ReconcilerConfig.fromEnv(Map.of()), topics, heartbeats,
                    new MockProducer<String, SpecificRecord>(true, null, new StringSerializer(), (t, v) -> new byte[0]),
                    new ClusterDirectory(etcd, keys), new LeaderElection(etcd, keys.reconcilerLeader(), "t",
                            Duration.ofSeconds(2)), Clock.systemUTC());
            Thread thread = new Thread(reconciler, "reconciler");
            thread.start();
            try {
                // Given no heartbeats topic yet: nothing is assigned, and the reconciler is still running
                await().during(Duration.ofMillis(600)).atMost(Duration.ofSeconds(3))
                        .until(() -> heartbeats.assignment().isEmpty() && thread.isAlive());

                // When the topic appears, then its partitions are assigned
                Node broker = new Node(0, "127.0.0.1", 9092);
                heartbeats.updatePartitions(topics.heartbeats(), List.of(
                        new PartitionInfo(topics.heartbeats(), 0, broker, null, null),
                        new PartitionInfo(topics.heartbeats(), 1, broker, null, null)));
                await().atMost(Duration.ofSeconds(5)).until(() -> heartbeats.assignment().size() == 2);
                assertThat(heartbeats.assignment()).containsExactlyInAnyOrder(
                        new TopicPartition(topics.heartbeats(), 0), new TopicPartition(topics.heartbeats(), 1));
            } finally {
                reconciler.close();
                heartbeats.wakeup();
                thread.join(10_000);
            }
        }
    }
}
