package io.vda.command;

import io.vda.command.cli.VdaCli;
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
        CommandService service;
        try {
            service = CommandService.start(config);
        } catch (RuntimeException e) {
            LOG.error("Giving up: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.close();
            stopped.countDown();
        }, "shutdown"));
        stopped.await();
    }
}
