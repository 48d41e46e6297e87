package io.vda.command;

import io.vda.command.cli.VdaCli;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the command gateway, configured by {@code VDA_*} environment variables ({@link CommandServiceConfig}).
 * The jar's main class: {@code java -jar vda-command-service.jar} serves; {@code java -jar … cli <args>} runs the
 * {@code vda} CLI instead (the {@code infra/bin/vda} launcher calls {@link VdaCli} directly).
 */
public final class CommandServiceMain {

    private static final Logger LOG = LoggerFactory.getLogger(CommandServiceMain.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private CommandServiceMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && args[0].equals("cli")) {
            System.exit(VdaCli.run(Arrays.copyOfRange(args, 1, args.length)));
        }
        CommandServiceConfig config;
        try {
            config = CommandServiceConfig.fromEnv();
        } catch (CommandServiceConfig.InvalidConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        // etcd or Kafka not answering at start (a loaded machine, a whole system starting at once) is waited out
        // with backoff, as a service manager would restart us; bad configuration was refused above (exit 2).
        CommandService service = null;
        Duration backoff = Duration.ofSeconds(1);
        while (service == null) {
            try {
                service = CommandService.start(config);
            } catch (RuntimeException e) {
                LOG.warn("{}; trying again in {}", e.getMessage(), backoff);
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
        CommandService started = service;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            started.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
