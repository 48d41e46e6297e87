package io.vda.projections;

import io.vda.projections.etcd.EtcdUnavailableException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.errors.RetriableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the projection: {@code java -jar vda-projections.jar [--rebuild]}. Configuration from {@code VDA_*} environment
 * variables, overridden by {@code -DVDA_…} system properties (which is how tests start it as a child JVM).
 */
public final class ProjectionsMain {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionsMain.class);
    private static final Duration FIRST_RESTART = Duration.ofSeconds(1);
    private static final Duration LAST_RESTART = Duration.ofSeconds(30);

    private ProjectionsMain() {
    }

    public static void main(String[] args) {
        Map<String, String> variables = new HashMap<>(System.getenv());
        System.getProperties().forEach((k, v) -> {
            if (k.toString().startsWith("VDA_")) {
                variables.put(k.toString(), v.toString());
            }
        });
        ProjectionsConfig config;
        try {
            config = ProjectionsConfig.fromMap(variables);
            for (String arg : args) {
                if (arg.equals("--rebuild")) {
                    config = config.withRebuild(true);
                } else if (List.of("-h", "--help").contains(arg)) {
                    usage();
                    return;
                } else {
                    throw new IllegalArgumentException("unknown argument " + arg);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("vda-projections: " + e.getMessage());
            usage();
            System.exit(2);
            return;
        }
        AtomicReference<ProjectionService> current = new AtomicReference<>();
        AtomicBoolean stopping = new AtomicBoolean();
        Thread main = Thread.currentThread();
        boolean[] failed = {false};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stopping.set(true);
            ProjectionService service = current.get();
            if (service != null) {
                service.stop();
            }
            if (failed[0]) {
                return;
            }
            try {
                main.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "projections-shutdown"));
        Duration backoff = FIRST_RESTART;
        while (!stopping.get()) {
            ProjectionService service = new ProjectionService(config, ProjectionHooks.NONE);
            current.set(service);
            try {
                service.run();
                return;
            } catch (EtcdUnavailableException | RetriableException e) {
                // etcd or Kafka slow or away (a loaded machine at start, a restart of either): not a reason to stop
                // for good; the service released what it held, and a new one starts from the positions in etcd.
                LOG.warn("{} ({}); starting the projection again in {}", e instanceof EtcdUnavailableException
                        ? "etcd unavailable" : "Kafka unavailable", e.getMessage(), backoff);
                try {
                    Thread.sleep(backoff.toMillis());
                } catch (InterruptedException interrupted) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(LAST_RESTART) > 0 ? LAST_RESTART : backoff.multipliedBy(2);
            } catch (RuntimeException e) {
                failed[0] = true;
                LOG.error("Projections stopped on a fatal error", e);
                System.exit(1);
            }
        }
    }

    private static void usage() {
        System.err.println("usage: vda-projections [--rebuild]");
        System.err.println("environment (or -D system properties):");
        for (io.vda.schema.config.Setting setting : ProjectionsConfig.SETTINGS) {
            System.err.printf("  %-36s %s (default %s)%n", setting.name(), setting.doc(), setting.defaultValue());
        }
    }
}
