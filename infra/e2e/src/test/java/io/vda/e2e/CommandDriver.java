package io.vda.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client that issues each write once, as a careful user would: with an {@code Idempotency-Key} and
 * {@code ?wait=}, retrying with the same key on connection errors, 5xx and 202 (not decided within the wait) until
 * it gets a definitive answer — the resource (SUCCEEDED) or the allocator's rejection (REJECTED with its reason).
 * Every answer is recorded with the command ids the gateway reported on the way.
 */
public final class CommandDriver {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDriver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RETRY_PAUSE = Duration.ofMillis(250);

    /** One write as the driver issued it, and what it expects (SUCCEEDED, or REJECTED with a reason). */
    public record Issued(String key, String method, String path, Map<String, Object> body, String commandType,
            String expectedStatus, String expectedReason) {
        public String describe() {
            return method + " " + path + (body == null ? "" : " " + body) + " [" + key + "]";
        }
    }

    /** The definitive answer. {@code commandIds}: every id the gateway named on the way (one, if all is well). */
    public record Answer(Issued issued, String status, String reason, String message, int httpStatus, int attempts,
            Set<String> commandIds) {
    }

    private final String api;
    private final HttpClient http;
    private final Duration giveUpAfter;
    private final AtomicInteger answered = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();
    private final AtomicInteger replays = new AtomicInteger();
    private final List<Answer> answers = new CopyOnWriteArrayList<>();

    public CommandDriver(String api, Duration giveUpAfter) {
        this.api = api;
        this.giveUpAfter = giveUpAfter;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    }

    public static Issued create(String path, Map<String, Object> body, String commandType, String expectedStatus,
            String expectedReason) {
        return new Issued(newKey(), "POST", path, body, commandType, expectedStatus, expectedReason);
    }

    public static Issued delete(String path, String commandType, String expectedStatus, String expectedReason) {
        return new Issued(newKey(), "DELETE", path, null, commandType, expectedStatus, expectedReason);
    }

    private static String newKey() {
        return "it-" + UUID.randomUUID();
    }

    /** Issues the write and retries it with the same key until it is decided; throws after the give-up time. */
    public Answer issue(Issued issued) {
        inFlight.incrementAndGet();
        try {
            return answer(issued);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private Answer answer(Issued issued) {
        long deadline = System.nanoTime() + giveUpAfter.toNanos();
        Set<String> ids = new LinkedHashSet<>();
        int attempts = 0;
        String last = "";
        while (System.nanoTime() < deadline) {
            attempts++;
            HttpResponse<String> r;
            try {
                r = http.send(request(issued), HttpResponse.BodyHandlers.ofString());
            } catch (IOException e) {
                last = e.toString();
                pause();
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while issuing " + issued.describe(), e);
            }
            JsonNode body = parse(r.body());
            if (r.headers().firstValue("Idempotent-Replayed").orElse("").equals("true")) {
                replays.incrementAndGet();
            }
            if (body.hasNonNull("commandId") && !body.has("schemaVersion")) {
                ids.add(body.path("commandId").asText()); // a command view or a problem, not a resource document
            }
            int status = r.statusCode();
            Answer answer = null;
            if (status == 200 || status == 201 || status == 204) {
                answer = new Answer(issued, "SUCCEEDED", null, null, status, attempts, Set.copyOf(ids));
            } else if ((status == 409 || status == 422 || status == 404)
                    && "urn:vda:problem:command-rejected".equals(body.path("type").asText())) {
                answer = new Answer(issued, "REJECTED", body.path("reason").asText(), body.path("detail").asText(),
                        status, attempts, Set.copyOf(ids));
            } else if (status == 202 || status >= 500) {
                last = status + " " + r.body();
                pause();
            } else {
                throw new IllegalStateException("unexpected answer to " + issued.describe() + ": " + status + " "
                        + r.body());
            }
            if (answer != null) {
                if (attempts > 1) {
                    retries.addAndGet(attempts - 1);
                    LOG.info("{} decided {} after {} attempts", issued.describe(), answer.status(), attempts);
                }
                answers.add(answer);
                answered.incrementAndGet();
                return answer;
            }
        }
        throw new IllegalStateException("no definitive answer to " + issued.describe() + " within " + giveUpAfter
                + " after " + attempts + " attempts; last: " + last);
    }

    private HttpRequest request(Issued issued) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(api + issued.path() + "?wait=5s"))
                .timeout(Duration.ofSeconds(20))
                .header("Idempotency-Key", issued.key());
        if (issued.body() == null) {
            return b.DELETE().build();
        }
        try {
            return b.header("Content-Type", "application/json")
                    .method(issued.method(), HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(
                            issued.body()))).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(String body) {
        if (body == null || body.isBlank()) {
            return JSON.createObjectNode();
        }
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static void pause() {
        LockSupport.parkNanos(RETRY_PAUSE.toNanos()); // a client's back-off between retries, not synchronisation
    }

    /** Definitive answers so far. */
    public int answered() {
        return answered.get();
    }

    /** Writes being issued right now (sent or being retried). */
    public int inFlight() {
        return inFlight.get();
    }

    /** Attempts beyond the first, summed over all answered writes. */
    public int retries() {
        return retries.get();
    }

    /** Answers the gateway marked {@code Idempotent-Replayed}: a retry it recognised as the same command. */
    public int replays() {
        return replays.get();
    }

    public List<Answer> answers() {
        return List.copyOf(answers);
    }
}
