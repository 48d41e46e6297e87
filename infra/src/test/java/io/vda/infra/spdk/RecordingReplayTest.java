package io.vda.infra.spdk;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays every request/response pair recorded from a real SPDK v23.09 (../shared/spdk, or the system property
 * {@code vda.spdk.recordings}) against two in-process emulators, A and B, and compares the answers. UUIDs are
 * mapped recorded→emulated consistently (so a uuid that must survive a restart is checked to survive), ports and
 * file paths are remapped to free ones in a temp dir.
 */
class RecordingReplayTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");
    private static final Pattern NGUID = Pattern.compile("[0-9A-F]{32}");
    private static final String PARTIAL = "<partial/unterminated, raw bytes>: ";
    private static final String CLOSED = "<connection closed by server>";
    /** Sizes of the recorded aio files, from the recorded bdev_get_bdevs answers. */
    private static final Map<String, Long> AIO_FILE_SIZES = Map.of("aio_a.img", 64L << 20, "aio_persist.img",
            128L << 20);

    @TempDir
    Path dir;

    private final Map<String, SpdkEmulator> emulators = new HashMap<>();
    private final Map<String, RawRpcConnection> connections = new HashMap<>();
    private final Map<String, String> substitutions = new HashMap<>();
    private final Map<String, String> uuidMap = new HashMap<>();
    private final Map<String, String> reverseUuidMap = new HashMap<>();
    private final List<String> mismatches = new ArrayList<>();

    static Path recordingsDir() {
        return Path.of(System.getProperty("vda.spdk.recordings", "../../shared/spdk"));
    }

    @AfterEach
    void stop() {
        connections.values().forEach(RawRpcConnection::close);
        emulators.values().forEach(SpdkEmulator::close);
    }

    @Test
    @Timeout(120)
    void shouldAnswerEveryRecordedRequestAsSpdkWhenReplayed() throws Exception {
        // Given every recording, free ports for the recorded ones and the aio files they use
        List<Path> files;
        try (Stream<Path> s = Files.list(recordingsDir())) {
            files = s.filter(p -> p.getFileName().toString().matches("\\d\\d_.*\\.json")).sorted().toList();
        }
        assertTrue(files.size() >= 6, "recordings found in " + recordingsDir().toAbsolutePath());
        List<ObjectNode> steps = new ArrayList<>();
        for (Path f : files) {
            JsonNode doc = MAPPER.readTree(f.toFile());
            if (doc.isArray() && doc.size() > 0 && doc.get(0).has("request")) {
                doc.forEach(e -> steps.add((ObjectNode) e));
            }
        }
        prepareSubstitutions(steps);
        for (String target : List.of("A", "B")) {
            startTarget(target);
        }

        // When each request is sent to its target
        int replayed = 0;
        for (ObjectNode step : steps) {
            replay(step);
            replayed++;
        }

        // Then every answer matched the recording
        assertTrue(replayed > 150, "replayed " + replayed);
        assertEquals(List.of(), mismatches, "answers that differ from SPDK v23.09");
    }

    private void prepareSubstitutions(List<ObjectNode> steps) throws IOException {
        TreeSet<String> ports = new TreeSet<>();
        for (ObjectNode step : steps) {
            collect(step.get("request"), "trsvcid", ports);
        }
        for (String port : ports) {
            substitutions.put(port, Integer.toString(freePort()));
        }
        for (Map.Entry<String, Long> f : AIO_FILE_SIZES.entrySet()) {
            Path p = dir.resolve(f.getKey());
            try (RandomAccessFile raf = new RandomAccessFile(p.toFile(), "rw")) {
                raf.setLength(f.getValue());
            }
            substitutions.put("/var/lib/vda/" + f.getKey(), p.toString());
        }
    }

    private static void collect(JsonNode n, String key, TreeSet<String> out) {
        if (n == null) {
            return;
        }
        if (n.isObject()) {
            n.fields().forEachRemaining(e -> {
                if (e.getKey().equals(key) && e.getValue().isTextual()) {
                    out.add(e.getValue().asText());
                }
                collect(e.getValue(), key, out);
            });
        } else if (n.isArray()) {
            n.forEach(c -> collect(c, key, out));
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void startTarget(String target) throws IOException {
        Path socket = dir.resolve(target + ".sock");
        emulators.put(target, SpdkEmulator.start(SpdkEmulatorConfig.onSocket(socket)));
        connections.put(target, RawRpcConnection.open(socket));
    }

    private void replay(ObjectNode step) throws Exception {
        String target = step.get("target").asText();
        JsonNode request = step.get("request");
        JsonNode expected = step.get("response");
        String label = target + " " + (request.isObject() ? request.path("method").asText() + " id "
                + request.path("id") : request.asText()) + (step.has("note") ? " (" + step.get("note").asText() + ")"
                        : "");
        if (request.isTextual()) {
            replayRaw(label, target, request.asText(), expected);
            return;
        }
        JsonNode sent = rewrite(request);
        JsonNode actual = connections.get(target).call(MAPPER.writeValueAsString(sent));
        match(label, "$", rewriteExpected(expected), actual);
        if ("spdk_kill_instance".equals(request.path("method").asText())) {
            SpdkEmulator killed = emulators.get(target);
            await().atMost(Duration.ofSeconds(5)).until(killed::isStopped);
            connections.remove(target).close();
            startTarget(target);
        }
    }

    private void replayRaw(String label, String target, String raw, JsonNode expected) throws Exception {
        try (RawRpcConnection c = RawRpcConnection.open(dir.resolve(target + ".sock"))) {
            c.send(raw);
            if (expected.isNull()) {
                if (!c.readQuietly(Duration.ofMillis(300)).isEmpty() || c.closedByPeer()) {
                    mismatches.add(label + ": expected the server to wait for more input");
                }
            } else if (expected.isTextual() && expected.asText().equals(CLOSED)) {
                if (!c.awaitClosed(Duration.ofSeconds(2))) {
                    mismatches.add(label + ": expected the connection to be closed");
                }
            } else if (expected.isTextual() && expected.asText().startsWith(PARTIAL)) {
                String got = c.readQuietly(Duration.ofMillis(300));
                if (!got.equals(expected.asText().substring(PARTIAL.length()))) {
                    mismatches.add(label + ": expected truncated " + expected.asText() + " but got " + got);
                }
            } else {
                match(label, "$", expected, MAPPER.readTree(c.readLine()));
            }
        }
    }

    private JsonNode rewrite(JsonNode n) {
        if (n.isTextual()) {
            String s = n.asText();
            if (uuidMap.containsKey(s)) {
                return TextNode.valueOf(uuidMap.get(s));
            }
            return substitutions.containsKey(s) ? TextNode.valueOf(substitutions.get(s)) : n;
        }
        if (n.isObject()) {
            ObjectNode o = MAPPER.createObjectNode();
            n.fields().forEachRemaining(e -> o.set(e.getKey(), rewrite(e.getValue())));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = MAPPER.createArrayNode();
            n.forEach(c -> a.add(rewrite(c)));
            return a;
        }
        return n;
    }

    /** Ports and paths only: uuids in answers are matched, not rewritten. */
    private JsonNode rewriteExpected(JsonNode n) {
        if (n.isTextual()) {
            String s = n.asText();
            return substitutions.containsKey(s) ? TextNode.valueOf(substitutions.get(s)) : n;
        }
        if (n.isObject()) {
            ObjectNode o = MAPPER.createObjectNode();
            n.fields().forEachRemaining(e -> o.set(e.getKey(), rewriteExpected(e.getValue())));
            return o;
        }
        if (n.isArray()) {
            ArrayNode a = MAPPER.createArrayNode();
            n.forEach(c -> a.add(rewriteExpected(c)));
            return a;
        }
        return n;
    }

    private void match(String label, String path, JsonNode expected, JsonNode actual) {
        if (actual == null) {
            mismatches.add(label + " " + path + ": missing, expected " + expected);
            return;
        }
        if (expected.isTextual() && UUID.matcher(expected.asText()).matches()) {
            matchUuid(label, path, expected.asText(), actual);
            return;
        }
        if (expected.isTextual() && NGUID.matcher(expected.asText()).matches() && actual.isTextual()) {
            String e = expected.asText().toLowerCase();
            String asUuid = e.substring(0, 8) + "-" + e.substring(8, 12) + "-" + e.substring(12, 16) + "-"
                    + e.substring(16, 20) + "-" + e.substring(20);
            String mapped = uuidMap.get(asUuid);
            if (mapped == null || !mapped.replace("-", "").toUpperCase().equals(actual.asText())) {
                mismatches.add(label + " " + path + ": nguid " + actual + " does not match " + expected);
            }
            return;
        }
        if (expected.isObject()) {
            if (!actual.isObject()) {
                mismatches.add(label + " " + path + ": expected object " + expected + " got " + actual);
                return;
            }
            TreeSet<String> keys = new TreeSet<>();
            expected.fieldNames().forEachRemaining(keys::add);
            TreeSet<String> actualKeys = new TreeSet<>();
            actual.fieldNames().forEachRemaining(actualKeys::add);
            if (!keys.equals(actualKeys)) {
                mismatches.add(label + " " + path + ": keys " + actualKeys + " expected " + keys);
                return;
            }
            for (Iterator<String> it = keys.iterator(); it.hasNext();) {
                String k = it.next();
                match(label, path + "." + k, expected.get(k), actual.get(k));
            }
            return;
        }
        if (expected.isArray()) {
            if (!actual.isArray() || actual.size() != expected.size()) {
                mismatches.add(label + " " + path + ": expected " + expected + " got " + actual);
                return;
            }
            for (int i = 0; i < expected.size(); i++) {
                match(label, path + "[" + i + "]", expected.get(i), actual.get(i));
            }
            return;
        }
        if (!expected.equals(actual)) {
            mismatches.add(label + " " + path + ": expected " + expected + " got " + actual);
        }
    }

    private void matchUuid(String label, String path, String expected, JsonNode actual) {
        if (!actual.isTextual() || !UUID.matcher(actual.asText()).matches()) {
            mismatches.add(label + " " + path + ": expected a uuid got " + actual);
            return;
        }
        String a = actual.asText();
        String known = uuidMap.get(expected);
        if (known == null) {
            String other = reverseUuidMap.get(a);
            if (other != null && !other.equals(expected)) {
                mismatches.add(label + " " + path + ": uuid " + a + " already stands for " + other);
                return;
            }
            uuidMap.put(expected, a);
            reverseUuidMap.put(a, expected);
        } else if (!known.equals(a)) {
            mismatches.add(label + " " + path + ": uuid " + a + " should be " + known + " (recorded " + expected
                    + ")");
        }
    }
}
