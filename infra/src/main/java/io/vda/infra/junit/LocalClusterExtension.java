package io.vda.infra.junit;

import io.vda.infra.etcd.EtcdServer;
import io.vda.infra.kafka.KafkaBroker;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives integration tests a real Kafka broker and a real etcd, started once per test JVM (on first use) and stopped
 * when the JVM's tests end. Each test class gets a {@link TestCluster} with its own topic and key prefix.
 *
 * <pre>
 * &#64;ExtendWith(LocalClusterExtension.class)
 * class SomethingIT {
 *     &#64;BeforeAll static void setUp(TestCluster cluster) { ... }
 * }
 * </pre>
 */
public final class LocalClusterExtension implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(LocalClusterExtension.class);
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == TestCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Shared shared = context.getRoot().getStore(NAMESPACE)
                .getOrComputeIfAbsent(Shared.class, k -> Shared.start(), Shared.class);
        Class<?> testClass = context.getRequiredTestClass();
        String prefix = context.getStore(NAMESPACE).getOrComputeIfAbsent("prefix:" + testClass.getName(),
                k -> prefixFor(testClass), String.class);
        return new TestCluster(shared.broker, shared.etcd, prefix, shared.workDir);
    }

    private static String prefixFor(Class<?> testClass) {
        String name = testClass.getSimpleName().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        return "t" + name.substring(0, Math.min(24, name.length())) + "-"
                + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x100000, 0xFFFFFF));
    }

    /** The JVM-wide broker and etcd; closed by JUnit when the root context closes. */
    @SuppressWarnings("deprecation") // CloseableResource: still the portable way across JUnit 5.x
    static final class Shared implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        final KafkaBroker broker;
        final EtcdServer etcd;
        final Path workDir;

        private Shared(KafkaBroker broker, EtcdServer etcd, Path workDir) {
            this.broker = broker;
            this.etcd = etcd;
            this.workDir = workDir;
        }

        static Shared start() {
            Path workDir;
            try {
                Path target = Path.of("target");
                Files.createDirectories(target);
                workDir = Files.createTempDirectory(target.toAbsolutePath(), "test-cluster-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Instant started = Instant.now();
            CompletableFuture<EtcdServer> etcd = CompletableFuture.supplyAsync(
                    () -> EtcdServer.start(workDir.resolve("etcd"), 0, START_TIMEOUT));
            KafkaBroker broker;
            try {
                broker = KafkaBroker.start(workDir.resolve("kafka"), 0, START_TIMEOUT);
            } catch (RuntimeException e) {
                etcd.thenAccept(EtcdServer::close);
                throw e;
            }
            EtcdServer etcdServer = etcd.join();
            System.out.printf("VDA test cluster: Kafka broker (%s) and etcd (%s) ready in %d ms; work dir %s%n",
                    broker.bootstrapServers(), etcdServer.endpoint(),
                    Duration.between(started, Instant.now()).toMillis(), workDir);
            return new Shared(broker, etcdServer, workDir);
        }

        @Override
        public void close() {
            try (broker; etcd) {
                // closed in reverse order: etcd, then the broker
            }
        }
    }
}
