package io.vda.agent.spdk;

import io.vda.infra.spdk.SpdkEmulator;
import io.vda.infra.spdk.SpdkEmulatorConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;

/** An in-process emulated SPDK target and a client on its socket, for *Test classes. */
final class EmulatedNode implements AutoCloseable {
    final SpdkEmulator emulator;
    final SpdkClient client;
    final Path socket;

    private EmulatedNode(SpdkEmulator emulator, Path socket) {
        this.emulator = emulator;
        this.socket = socket;
        this.client = SpdkClient.connect(socket, Duration.ofSeconds(10));
    }

    static EmulatedNode start(Path dir, String name) throws IOException {
        return start(new SpdkEmulatorConfig(dir.resolve(name + ".sock"), "127.0.0.1", true));
    }

    static EmulatedNode start(SpdkEmulatorConfig config) throws IOException {
        return new EmulatedNode(SpdkEmulator.start(config), config.socketPath());
    }

    @Override
    public void close() {
        client.close();
        emulator.close();
    }
}
