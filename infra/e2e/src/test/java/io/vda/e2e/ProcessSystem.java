package io.vda.e2e;

import static org.awaitility.Awaitility.await;

import io.vda.agent.NodeAgentMain;
import io.vda.agent.spdk.SpdkClient;
import io.vda.allocator.AllocatorMain;
import io.vda.command.CommandServiceMain;
import io.vda.infra.process.ChildProcess;
import io.vda.infra.process.Ports;
import io.vda.infra.spdk.SpdkEmulator;
import io.vda.infra.spdk.SpdkEmulatorConfig;
import io.vda.projections.ProjectionsMain;
import io.vda.reconciler.ReconcilerMain;
import io.vda.schema.EtcdKeys;
import io.vda.schema.TopicBootstrapper;
import io.vda.schema.Topics;
import io.vda.schema.config.CommonSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole control plane as real child processes (so that each can be killed with SIGKILL and started again) on a
 * broker and etcd started elsewhere: the allocator, projections, gateway (a fixed free port, kept across restarts),
 * reconciler and one node agent per node, each its module's {@code …Main} on the test classpath, configured by the
 * {@code VDA_*} variables their docs list. Each node's SPDK emulator runs in this JVM on its own loopback address
 * (127.0.3.1, .2, …) and Unix socket: like the broker and etcd, the emulators are not what is restarted here, and four
 * JVMs fewer matter on 2 shared cores. Every incarnation of a component appends to
 * {@code <logDir>/<component>.log}.
 *
 * <p>{@link LocalSystem} is the in-JVM variant; the agent settings here are the same as there.
 */
public final class ProcessSystem implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessSystem.class);

    public static final String ALLOCATOR = "allocator";
    public static final String PROJECTIONS = "projections";
    public static final String GATEWAY = "gateway";
    public static final String RECONCILER = "reconciler";

    /** Small heaps and a quick JIT: a dozen JVMs share 2 cores. */
    private static final List<String> JVM = List.of("-Xmx192m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");

    /** Where the system runs and how the reconciler and allocator are tuned for a test on a loaded machine. */
    public record Settings(String bootstrapServers, String etcdEndpoint, String prefix, String etcdRoot, Path logDir,
            List<String> nodeNames, Duration heartbeatGrace) {
    }

    /** One emulated node: its SPDK target and a client on its socket; its agent is a component. */
    public record Node(String name, String role, String address, int port, Path socket, SpdkEmulator emulator,
            SpdkClient spdk) {
        public String agent() {
            return name + "-agent";
        }

        /** The NVMe-oF listener as the API takes it. */
        public Map<String, Object> listener() {
            return Map.of("trType", "tcp", "adrFam", "ipv4", "trAddr", address, "trSvcId", Integer.toString(port));
        }
    }

    /** A control-plane process: how to start it, and its current incarnation (null while stopped). */
    private static final class Component {
        final String name;
        final String mainClass;
        final Map<String, String> env;
        final List<String> args;
        final AtomicInteger incarnations = new AtomicInteger();
        volatile ChildProcess process;
        /** False once stopped on purpose: the supervisor leaves it down. */
        volatile boolean supervised;

        Component(String name, String mainClass, Map<String, String> env, List<String> args) {
            this.name = name;
            this.mainClass = mainClass;
            this.env = env;
            this.args = args;
        }
    }

    private final Settings settings;
    private final Path socketDir;
    private final Map<String, String> common;
    private final Map<String, Node> nodes = new LinkedHashMap<>();
    private final Map<String, Component> components = new LinkedHashMap<>();
    private final int apiPort;
    private final String api;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** Kills the children if this JVM ends without {@link #close()} (a crashed or interrupted test run). */
    private final Thread orphanGuard = new Thread(() -> components.values().forEach(c -> {
        ChildProcess p = c.process;
        if (p != null) {
            p.kill();
        }
    }), "process-system-orphan-guard");
    private final List<String> unexpectedExits = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.ScheduledExecutorService supervisor =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "process-supervisor");
                t.setDaemon(true);
                return t;
            });

    private ProcessSystem(Settings settings) throws IOException {
        this.settings = settings;
        // Unix socket paths are limited to ~100 bytes: keep them short, under /tmp
        this.socketDir = Files.createTempDirectory("vda-ps");
        this.common = CommonSettings.environment(settings.bootstrapServers(), settings.prefix(),
                settings.etcdEndpoint(), settings.etcdRoot());
        this.apiPort = Ports.freeListenerPort("127.0.0.1"); // kept across restarts: not from the ephemeral range
        this.api = "http://127.0.0.1:" + apiPort;
    }

    /** Starts the emulators and every component, and waits for the gateway's health; on failure stops all. */
    public static ProcessSystem start(Settings settings) throws Exception {
        ProcessSystem system = new ProcessSystem(settings);
        try {
            system.startAll();
            return system;
        } catch (Exception | Error e) {
            system.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Files.createDirectories(settings.logDir());
        Runtime.getRuntime().addShutdownHook(orphanGuard);
        List<String> names = settings.nodeNames();
        // The topics first, so that no component races another to create them
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                settings.bootstrapServers()))) {
            new TopicBootstrapper(admin, (short) 1).createClusterTopics(topics());
        }

        define(ALLOCATOR, AllocatorMain.class, Map.of(
                "VDA_ALLOCATOR_APP_ID", settings.prefix() + "-allocator",
                "VDA_ALLOCATOR_STATE_DIR", settings.logDir().resolve("allocator-state").toString(),
                // the broker's minimum: a killed instance's partition is free again this soon
                "VDA_ALLOCATOR_SESSION_TIMEOUT", "6s"));
        // The owner lock's TTL stays at its default (10 s): at 3 s a starved machine let the lease expire under a
        // live projection, which then (rightly) exits
        define(PROJECTIONS, ProjectionsMain.class, Map.of(
                "VDA_PROJECTIONS_GROUP_ID", settings.prefix() + "-projections"));
        define(GATEWAY, CommandServiceMain.class, Map.of("VDA_HTTP_PORT", Integer.toString(apiPort),
                "VDA_CREATE_TOPICS", "false", // created above
                // its first etcd call at start waits twice this; the first publish waits for topic metadata
                "VDA_ETCD_TIMEOUT", "10s", "VDA_PUBLISH_TIMEOUT", "10s"));
        define(RECONCILER, ReconcilerMain.class, Map.of(
                "VDA_HEARTBEAT_GRACE", settings.heartbeatGrace().toMillis() + "ms",
                "VDA_DIRECTORY_REFRESH", "500ms"));
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            Path socket = socketDir.resolve(name + ".sock");
            String address = "127.0.3." + (i + 1);
            int port = Ports.freeListenerPort(address);
            String role = name.startsWith("dn") ? "disk" : "controller";
            SpdkEmulator emulator = SpdkEmulator.start(new SpdkEmulatorConfig(socket, address, true));
            nodes.put(name, new Node(name, role, address, port, socket, emulator,
                    SpdkClient.connect(socket, Duration.ofSeconds(10))));
            define(name + "-agent", NodeAgentMain.class, Map.of(
                    "VDA_NODE_NAME", name, "VDA_NODE_ROLE", role, "VDA_SPDK_SOCKET", socket.toString(),
                    "VDA_NVMF_LISTENER", "tcp:" + address + ":" + port, "VDA_RECONCILE_PERIOD", "1s",
                    "VDA_STATUS_REFRESH", "5s", "VDA_SPDK_TIMEOUT", "5s"));
        }
        // The gateway first: clients wait for it; the agents once it answers (fewer JVMs starting at once)
        for (String name : List.of(GATEWAY, ALLOCATOR, PROJECTIONS, RECONCILER)) {
            start(name);
        }
        supervisor.scheduleWithFixedDelay(this::supervise, 200, 200, java.util.concurrent.TimeUnit.MILLISECONDS);
        awaitGateway(Duration.ofSeconds(120));
        for (Node n : nodes.values()) {
            start(n.agent());
        }
    }

    private void define(String name, Class<?> main, Map<String, String> own) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        components.put(name, new Component(name, main.getName(), Map.copyOf(env), List.of()));
    }

    // ---------------------------------------------------------------------------------------------- processes

    /** Starts a new incarnation of the component (it must not be running); the supervisor keeps it running. */
    public void start(String name) {
        Component c = component(name);
        synchronized (c) {
            if (c.process != null && c.process.isAlive()) {
                throw new IllegalStateException(name + " is running");
            }
            launch(c);
            c.supervised = true;
        }
    }

    /** SIGKILL, and a new incarnation at once: a crash and its supervisor's restart. */
    public void killAndRestart(String name) {
        Component c = component(name);
        synchronized (c) {
            ChildProcess p = c.process;
            if (p != null) {
                p.kill();
                LOG.info("{} (pid {}) killed with SIGKILL", name, p.pid());
            }
            launch(c);
        }
    }

    private void launch(Component c) {
        String name = c.name;
        int n = c.incarnations.incrementAndGet();
        Map<String, String> env = new HashMap<>(c.env);
        if (name.equals(RECONCILER)) {
            env.put("VDA_RECONCILER_ID", "restart-it-" + n); // a new candidate per incarnation
        }
        c.process = ChildProcess.start(name + "#" + n, ChildProcess.javaCommand(JVM, c.mainClass, c.args), env,
                settings.logDir().resolve(name + ".log"));
        LOG.info("{} incarnation {} started (pid {})", name, n, c.process.pid());
    }

    /** SIGTERM, then SIGKILL after the grace period: a clean stop; the supervisor leaves it stopped. */
    public void stop(String name) {
        Component c = component(name);
        synchronized (c) {
            c.supervised = false;
            ChildProcess p = c.process;
            if (p != null) {
                p.stop(Duration.ofSeconds(15));
            }
        }
    }

    /**
     * Like a service manager's restart-on-failure: a component that ended by itself (it gives up when, say, etcd
     * does not answer within its start-up timeout on a loaded machine) is started again, and the exit recorded.
     */
    private void supervise() {
        for (Component c : components.values()) {
            synchronized (c) {
                ChildProcess p = c.process;
                if (c.supervised && p != null && !p.isAlive()) {
                    String exit = c.name + " incarnation " + c.incarnations.get() + " (pid " + p.pid()
                            + ") ended by itself:\n" + p.logTail(15);
                    LOG.warn("{}; starting it again", exit);
                    unexpectedExits.add(exit);
                    launch(c);
                }
            }
        }
    }

    /** Components that ended without being killed or stopped, with their last log lines. */
    public List<String> unexpectedExits() {
        return List.copyOf(unexpectedExits);
    }

    public boolean isAlive(String name) {
        ChildProcess p = component(name).process;
        return p != null && p.isAlive();
    }

    public int incarnations(String name) {
        return component(name).incarnations.get();
    }

    /** The last lines of the component's log (every incarnation's). */
    public String logTail(String name, int lines) {
        ChildProcess p = component(name).process;
        return p == null ? "(never started)" : p.logTail(lines);
    }

    /** The components in start order: allocator, projections, gateway, reconciler, then the agents. */
    public List<String> componentNames() {
        return new ArrayList<>(components.keySet());
    }

    private Component component(String name) {
        Component c = components.get(name);
        if (c == null) {
            throw new IllegalArgumentException("no component " + name);
        }
        return c;
    }

    /** Runs a one-off process on the test classpath (e.g. a rebuild), with the system's variables plus {@code own}. */
    public ChildProcess run(String name, Class<?> main, Map<String, String> own, List<String> args) {
        Map<String, String> env = new HashMap<>(common);
        env.putAll(own);
        return ChildProcess.start(name, ChildProcess.javaCommand(JVM, main.getName(), args), env,
                settings.logDir().resolve(name + ".log"));
    }

    public void awaitGateway(Duration within) {
        await().atMost(within).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
                .until(() -> get("/health").statusCode() == 200);
    }

    // ---------------------------------------------------------------------------------------------- accessors

    public Settings settings() {
        return settings;
    }

    public Topics topics() {
        return new Topics(settings.prefix());
    }

    public EtcdKeys keys() {
        return new EtcdKeys(settings.etcdRoot());
    }

    public String api() {
        return api;
    }

    public Node node(String name) {
        return nodes.get(name);
    }

    public Collection<Node> nodes() {
        return nodes.values();
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create(api + path)).timeout(Duration.ofSeconds(10)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient http() {
        return http;
    }

    @Override
    public void close() {
        supervisor.shutdownNow();
        try {
            Runtime.getRuntime().removeShutdownHook(orphanGuard);
        } catch (IllegalStateException | IllegalArgumentException e) {
            // shutting down already, or never registered
        }
        List<String> names = componentNames();
        for (int i = names.size() - 1; i >= 0; i--) {
            ChildProcess p = components.get(names.get(i)).process;
            if (p != null) {
                try {
                    p.stop(Duration.ofSeconds(10));
                } catch (RuntimeException e) {
                    LOG.warn("stopping {} failed: {}", names.get(i), e.toString());
                }
            }
        }
        for (Node n : nodes.values()) {
            if (n.spdk() != null) {
                try {
                    n.spdk().close();
                } catch (Exception e) {
                    LOG.warn("closing the SPDK client of {} failed: {}", n.name(), e.toString());
                }
            }
            if (n.emulator() != null) {
                n.emulator().close();
            }
        }
        try (var paths = Files.walk(socketDir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}", socketDir, e.toString());
        }
    }
}
