package io.vda.reconciler;

import io.vda.schema.config.CommonSettings;
import io.vda.schema.config.EnvConfig;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The reconciler's settings, from environment variables.
 *
 * <p>Heartbeats: agents send one every {@code VDA_HEARTBEAT_INTERVAL} (agent side, default 200ms); a node is failed
 * after {@code VDA_HEARTBEAT_GRACE} (default 1s, five intervals) with none received. Five missed heartbeats keep
 * false failovers away under load, and leave most of the 2 s failover budget for the failover itself.
 *
 * <p>Drift: a node whose object has been in ERROR or missing for longer than {@code VDA_DRIFT_BOUND} (default 30s) is
 * re-driven. The agents already retry every object on their own period ({@code VDA_RECONCILE_PERIOD}, 2s) and the
 * projections show a report within about a second, so 30s is about fifteen agent passes: past it, retrying locally
 * has not helped and the desired state itself is suspect; short enough to repair within a minute.
 */
public record ReconcilerConfig(
        String kafkaBootstrap,
        String topicPrefix,
        String etcdEndpoints,
        String etcdRoot,
        String candidateId,
        Duration heartbeatGrace,
        Duration failoverRetry,
        Duration directoryRefresh,
        Duration leaderTtl,
        Duration electionRetry,
        Duration driftBound) {

    public static ReconcilerConfig fromEnv(Map<String, String> env) {
        EnvConfig c = new EnvConfig(env, Set.of());
        ReconcilerConfig config = new ReconcilerConfig(
                c.string(CommonSettings.KAFKA_BOOTSTRAP),
                c.string(CommonSettings.TOPIC_PREFIX),
                c.string(CommonSettings.ETCD_ENDPOINTS),
                c.string(CommonSettings.ETCD_ROOT),
                c.string("VDA_RECONCILER_ID", ManagementFactory.getRuntimeMXBean().getName()),
                c.duration("VDA_HEARTBEAT_GRACE", Duration.ofSeconds(1), Duration.ofMillis(100)),
                c.duration("VDA_FAILOVER_RETRY", Duration.ofSeconds(3), Duration.ofMillis(100)),
                c.duration("VDA_DIRECTORY_REFRESH", Duration.ofSeconds(2), Duration.ofMillis(100)),
                c.duration("VDA_LEADER_TTL", Duration.ofSeconds(2), Duration.ofSeconds(1)),
                c.duration("VDA_ELECTION_RETRY", Duration.ofMillis(250), Duration.ofMillis(10)),
                c.duration("VDA_DRIFT_BOUND", Duration.ofSeconds(30), Duration.ofMillis(100)));
        c.validate();
        return config;
    }
}
