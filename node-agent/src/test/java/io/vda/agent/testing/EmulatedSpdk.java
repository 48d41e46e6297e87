package io.vda.agent.testing;

import com.fasterxml.jackson.databind.JsonNode;
import io.vda.agent.spdk.SpdkClient;
import io.vda.infra.process.Ports;
import io.vda.infra.spdk.SpdkEmulator;
import io.vda.infra.spdk.SpdkEmulatorConfig;
import io.vda.schema.common.NvmfListener;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An in-process emulated SPDK target with a client, its NVMe-oF listener port, and its call log. */
public final class EmulatedSpdk implements AutoCloseable {
    public final String name;
    public final Path socket;
    public final int port;
    public final SpdkClient client;
    private SpdkEmulator emulator;

    private EmulatedSpdk(String name, Path socket, int port) throws IOException {
        this.name = name;
        this.socket = socket;
        this.port = port;
        this.emulator = SpdkEmulator.start(new SpdkEmulatorConfig(socket, "127.0.0.1", true));
        this.client = SpdkClient.connect(socket, Duration.ofSeconds(10));
    }

    public static EmulatedSpdk start(Path dir, String name) throws IOException {
        return new EmulatedSpdk(name, dir.resolve(name + ".sock"), Ports.freeLoopbackPort());
    }

    public NvmfListener listener() {
        return Specs.listener("127.0.0.1", port);
    }

    public String listenerSetting() {
        return "tcp:127.0.0.1:" + port;
    }

    /** Kills the target, losing its state (malloc data included), and starts a fresh one on the same socket. */
    public void restart() throws IOException {
        emulator.close();
        emulator = SpdkEmulator.start(new SpdkEmulatorConfig(socket, "127.0.0.1", true));
    }

    /** Methods called since the log was cleared, in order. */
    public List<String> calls() {
        List<String> out = new ArrayList<>();
        for (JsonNode e : client.call("vda_emulator_get_call_log", null)) {
            out.add(e.get("method").asText());
        }
        return out;
    }

    public List<String> mutatingCalls() {
        return calls().stream().filter(m -> !m.contains("_get_") && !m.startsWith("spdk_get")
                && !m.equals("rpc_get_methods")).toList();
    }

    public void clearCalls() {
        client.call("vda_emulator_clear_call_log", null);
    }

    @Override
    public void close() {
        client.close();
        emulator.close();
    }
}
