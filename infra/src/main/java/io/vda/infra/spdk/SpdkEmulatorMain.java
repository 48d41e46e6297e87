package io.vda.infra.spdk;

/** {@code spdk-emulator --socket PATH [--nvmf-addr 127.0.0.1] [--no-auto-examine]}: one emulated node. */
public final class SpdkEmulatorMain {
    private SpdkEmulatorMain() {
    }

    public static void main(String[] args) throws Exception {
        SpdkEmulatorConfig config;
        try {
            config = SpdkEmulatorConfig.fromArgs(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        SpdkEmulator emulator = SpdkEmulator.start(config);
        Runtime.getRuntime().addShutdownHook(new Thread(emulator::close, "spdk-emulator-shutdown"));
        // A line on stdout tells a launching process the socket is ready.
        System.out.println("spdk-emulator ready " + config.socketPath());
        System.out.flush();
        emulator.awaitStop();
        System.exit(0);
    }
}
