package io.vda.agent.spdk;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The wire: pipelining, timeouts, reconnect, and the emulator's fault injection and call log. */
class SpdkConnectionTest {
    @TempDir
    Path dir;

    private EmulatedNode node;

    @BeforeEach
    void start() throws Exception {
        node = EmulatedNode.start(dir, "n");
    }

    @AfterEach
    void stop() {
        node.close();
    }

    @Test
    void shouldAnswerEveryPipelinedCallWhenSentWithoutWaiting() {
        // When
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            calls.add(node.client.callAsync("bdev_malloc_create", Map.of("name", "m" + i, "num_blocks", 8,
                    "block_size", 4096)));
        }

        // Then
        for (int i = 0; i < 200; i++) {
            assertEquals("m" + i, calls.get(i).join().asText());
        }
        assertEquals(200, node.client.getBdevs().size());
    }

    @Test
    void shouldTimeOutWhenSpdkHangsAndRecoverWhenReleased() {
        // Given
        node.client.call("vda_emulator_inject_fault", Map.of("method", "bdev_get_bdevs", "hang", true));
        SpdkClient impatient = SpdkClient.connect(node.socket, Duration.ofMillis(300));

        // When
        SpdkTransportException e = assertThrows(SpdkTransportException.class, impatient::getBdevs);

        // Then
        assertTrue(e.retriable());
        node.client.call("vda_emulator_clear_faults", null);
        assertEquals(List.of(), impatient.getBdevs());
        impatient.close();
    }

    @Test
    void shouldFailWithInjectedErrorWhenFaultIsSet() {
        // Given
        node.client.call("vda_emulator_inject_fault", Map.of("method", "bdev_malloc_create", "code", -12,
                "message", "Cannot allocate memory", "count", 1));

        // When
        SpdkRpcException e = assertThrows(SpdkRpcException.class, () -> node.client.createMallocBdev("m", 8, 4096));

        // Then
        assertEquals(-12, e.code());
        assertEquals("Cannot allocate memory", e.spdkMessage());
        assertEquals("m", node.client.createMallocBdev("m", 8, 4096));
    }

    @Test
    void shouldLogEveryMethodWhenCalled() {
        // Given
        node.client.getBdevs();
        node.client.createMallocBdev("m", 8, 4096);

        // When
        JsonNode log = node.client.call("vda_emulator_get_call_log", null);

        // Then
        assertEquals(2, log.size());
        assertEquals("bdev_get_bdevs", log.get(0).path("method").asText());
        assertEquals("bdev_malloc_create", log.get(1).path("method").asText());
        long last = log.get(1).path("seq").asLong();
        assertEquals(0, node.client.call("vda_emulator_get_call_log", Map.of("since_seq", last)).size());
    }

    @Test
    void shouldReconnectWhenSpdkRestartsOnTheSameSocket() throws Exception {
        // Given
        node.client.getVersion();
        node.emulator.close();
        assertThrows(SpdkTransportException.class, node.client::getVersion);

        // When
        EmulatedNode restarted = EmulatedNode.start(dir, "n");

        // Then
        try (restarted) {
            await().atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> node.client.getVersion().version().equals("SPDK v23.09"));
        }
    }

    @Test
    void shouldFailRetriablyWhenSocketIsMissing() {
        // Given
        SpdkClient nowhere = SpdkClient.connect(dir.resolve("none.sock"), Duration.ofSeconds(1));

        // When
        SpdkTransportException e = assertThrows(SpdkTransportException.class, nowhere::getVersion);

        // Then
        assertTrue(e.retriable());
        nowhere.close();
    }

    @Test
    void shouldFailPendingCallsWhenSpdkIsKilled() {
        // Given
        node.client.call("vda_emulator_inject_fault", Map.of("method", "bdev_get_bdevs", "hang_ms", 5000));
        CompletableFuture<JsonNode> pending = node.client.callAsync("bdev_get_bdevs", null);

        // When
        try (SpdkClient other = SpdkClient.connect(node.socket, Duration.ofSeconds(2))) {
            other.call("spdk_kill_instance", Map.of("sig_name", "SIGTERM"));
        }

        // Then
        await().atMost(Duration.ofSeconds(5)).until(pending::isDone);
        assertTrue(pending.isCompletedExceptionally());
    }
}
