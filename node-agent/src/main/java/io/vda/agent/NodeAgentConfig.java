package io.vda.agent;

import io.vda.agent.reconcile.NodeContext.NodeRole;
import io.vda.agent.spdk.ListenAddress;
import io.vda.schema.ResourceNames;
import io.vda.schema.config.EnvConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The node agent's settings, from environment variables (fail fast, every problem named at once).
 *
 * <ul>
 *   <li>{@code VDA_NODE_NAME} (required): the node's name, as in the desired state.</li>
 *   <li>{@code VDA_NODE_ROLE}: {@code disk} or {@code controller}.</li>
 *   <li>{@code VDA_SPDK_SOCKET}: SPDK's JSON-RPC socket (default /var/tmp/spdk.sock).</li>
 *   <li>{@code VDA_NVMF_LISTENER}: this node's NVMe-oF listener, {@code tcp:<addr>:<port>}.</li>
 *   <li>{@code VDA_KAFKA_BOOTSTRAP}, {@code VDA_TOPIC_PREFIX}, {@code VDA_ETCD_ENDPOINTS}, {@code VDA_ETCD_ROOT}.</li>
 *   <li>{@code VDA_RECONCILE_PERIOD} (2s), {@code VDA_RECONCILE_RETRY} (50ms: first retry after a pass that left
 *       objects not OK, doubling up to the period), {@code VDA_HEARTBEAT_INTERVAL} (200ms), {@code VDA_STATUS_REFRESH} (30s),
 *       {@code VDA_SPDK_TIMEOUT} (10s), {@code VDA_SPDK_PARALLELISM} (1: calls of different objects in flight).</li>
 * </ul>
 */
public record NodeAgentConfig(
        String nodeName,
        NodeRole role,
        Path spdkSocket,
        ListenAddress nvmfListener,
        String kafkaBootstrap,
        String topicPrefix,
        String etcdEndpoints,
        String etcdRoot,
        Duration reconcilePeriod,
        Duration reconcileRetry,
        Duration heartbeatInterval,
        Duration statusRefresh,
        Duration spdkTimeout,
        int spdkParallelism) {

    public static NodeAgentConfig fromEnv(Map<String, String> env) {
        EnvConfig c = new EnvConfig(env, Set.of());
        String name = c.string("VDA_NODE_NAME", null, ResourceNames::isValid, "a resource name ([a-z0-9-], 1-63)");
        String role = c.string("VDA_NODE_ROLE", "disk", r -> r.equals("disk") || r.equals("controller"),
                "disk or controller");
        String socket = c.string("VDA_SPDK_SOCKET", "/var/tmp/spdk.sock");
        String listener = c.string("VDA_NVMF_LISTENER", "tcp:127.0.0.1:4420", l -> parseListener(l) != null,
                "tcp:<address>:<port>");
        NodeAgentConfig config = new NodeAgentConfig(name,
                "controller".equals(role) ? NodeRole.CONTROLLER : NodeRole.DISK,
                Path.of(socket),
                parseListener(listener),
                c.string("VDA_KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
                c.string("VDA_TOPIC_PREFIX", "vda"),
                c.string("VDA_ETCD_ENDPOINTS", "http://127.0.0.1:2379"),
                c.string("VDA_ETCD_ROOT", "/vda"),
                c.duration("VDA_RECONCILE_PERIOD", Duration.ofSeconds(2), Duration.ofMillis(100)),
                c.duration("VDA_RECONCILE_RETRY", Duration.ofMillis(50), Duration.ofMillis(1)),
                c.duration("VDA_HEARTBEAT_INTERVAL", Duration.ofMillis(200), Duration.ofMillis(10)),
                c.duration("VDA_STATUS_REFRESH", Duration.ofSeconds(30), Duration.ofMillis(100)),
                c.duration("VDA_SPDK_TIMEOUT", Duration.ofSeconds(10), Duration.ofMillis(100)),
                c.integer("VDA_SPDK_PARALLELISM", 1, 1, 256));
        c.validate();
        return config;
    }

    /** "tcp:127.0.0.1:4420" → TCP/IPv4/127.0.0.1/4420; null when malformed. */
    static ListenAddress parseListener(String s) {
        if (s == null) {
            return null;
        }
        int first = s.indexOf(':');
        int last = s.lastIndexOf(':');
        if (first <= 0 || last <= first) {
            return null;
        }
        String trtype = s.substring(0, first).toUpperCase(Locale.ROOT);
        String addr = s.substring(first + 1, last);
        String port = s.substring(last + 1);
        if (!trtype.equals("TCP") || addr.isEmpty() || !port.matches("[0-9]{1,5}")) {
            return null;
        }
        return new ListenAddress(trtype, addr.contains(":") ? "IPv6" : "IPv4", addr, port);
    }
}
