package io.vda.command.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** A small blocking client for the gateway's HTTP API (the CLI is one short-lived process; no event loop needed). */
public final class ApiClient {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final Optional<String> token;
    private final HttpClient http;

    public ApiClient(String baseUrl, Optional<String> token) {
        String url = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.base = URI.create(url);
        this.token = token.filter(t -> !t.isBlank());
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /** An answer: status, parsed JSON body (missing node if none), and the Location header. */
    public record Response(int status, JsonNode body, Optional<String> location) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /** The API could not be reached at all. */
    public static final class UnreachableException extends RuntimeException {
        public UnreachableException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    public Response get(String path) {
        return send(builder(path).GET(), Duration.ofSeconds(30));
    }

    /** A GET that the server may hold open ({@code ?wait=}). */
    public Response get(String path, Duration hold) {
        return send(builder(path).GET(), hold.plusSeconds(10));
    }

    public Response write(String method, String path, JsonNode body, String idempotencyKey, Duration hold) {
        HttpRequest.Builder b = builder(path).header("Idempotency-Key", idempotencyKey);
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofString(body.toString()));
        }
        return send(b, hold.plusSeconds(30));
    }

    public static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private HttpRequest.Builder builder(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "application/json");
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    private Response send(HttpRequest.Builder builder, Duration timeout) {
        HttpRequest request = builder.timeout(timeout).build();
        try {
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode body = MissingNode.getInstance();
            if (response.body().length > 0) {
                try {
                    body = JSON.readTree(response.body());
                } catch (IOException e) {
                    body = JSON.createObjectNode().put("title", "HTTP " + response.statusCode())
                            .put("detail", new String(response.body(), StandardCharsets.UTF_8));
                }
            }
            return new Response(response.statusCode(), body, response.headers().firstValue("Location"));
        } catch (ConnectException e) {
            throw new UnreachableException("cannot connect to " + base + " (is the command service running? set"
                    + " VDA_API_URL or --api)", e);
        } catch (IOException e) {
            throw new UnreachableException("talking to " + base + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted", e);
        }
    }
}
