package io.vda.projections;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the projection: {@code java -jar vda-projections.jar [--rebuild]}. Configuration from {@code VDA_*} environment
 * variables, overridden by {@code -DVDA_…} system properties (which is how tests start it as a child JVM).
 */
public final class ProjectionsMain {

    private static final Logger LOG = LoggerFactory.getLogger(ProjectionsMain.class);

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
        ProjectionService service = new ProjectionService(config, ProjectionHooks.NONE);
        Thread main = Thread.currentThread();
        boolean[] failed = {false};
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.stop();
            if (failed[0]) {
                return;
            }
            try {
                main.join(15_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "projections-shutdown"));
        try {
            service.run();
        } catch (RuntimeException e) {
            failed[0] = true;
            LOG.error("Projections stopped on a fatal error", e);
            System.exit(1);
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
