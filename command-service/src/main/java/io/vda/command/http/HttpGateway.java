package io.vda.command.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vda.command.CommandServiceConfig;
import io.vda.command.Durations;
import io.vda.command.metrics.GatewayMetrics;
import io.vda.command.publish.CommandPublisher;
import io.vda.command.publish.PublishUnavailableException;
import io.vda.command.request.CommandRequest;
import io.vda.command.request.CommandRequests;
import io.vda.command.request.InvalidRequestException;
import io.vda.command.request.Operation;
import io.vda.command.request.ResourceType;
import io.vda.command.request.Rules;
import io.vda.command.store.Etcd;
import io.vda.command.store.IdempotencyStore;
import io.vda.command.store.ProjectionReader;
import io.vda.command.store.StoreUnavailableException;
import io.vda.schema.EtcdKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API under {@code /v1}: writes are validated, recorded for idempotency, published as commands and
 * answered 202 (or, with {@code ?wait=}, with the outcome); reads come from the etcd projections. Every handler is
 * non-blocking: etcd and Kafka calls are futures completed on the request's context.
 */
public final class HttpGateway {

    private static final Logger LOG = LoggerFactory.getLogger(HttpGateway.class);
    private static final ObjectMapper JSON = new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Pattern PREFER_WAIT = Pattern.compile("(?i)(?:^|[,;\\s])wait\\s*=\\s*\"?(\\d{1,6})\"?");
    private static final String ROUTE = "vda.route";
    private static final String RETRY_AFTER_SECONDS = "5";

    private final Vertx vertx;
    private final CommandServiceConfig config;
    private final CommandPublisher publisher;
    private final IdempotencyStore idempotency;
    private final ProjectionReader reader;
    private final Etcd etcd;
    private final EtcdKeys keys;
    private final GatewayMetrics metrics;
    private final CommandRequests requests = new CommandRequests();
    private final Buffer openApi;
    private final List<byte[]> tokens;

    public HttpGateway(Vertx vertx, CommandServiceConfig config, CommandPublisher publisher, Etcd etcd,
            GatewayMetrics metrics) {
        this.vertx = vertx;
        this.config = config;
        this.publisher = publisher;
        this.etcd = etcd;
        this.keys = config.etcdKeys();
        this.metrics = metrics;
        this.idempotency = new IdempotencyStore(etcd, keys, config.idempotencyTtl(), java.time.Clock.systemUTC());
        this.reader = new ProjectionReader(etcd);
        this.openApi = Buffer.buffer(openApiDocument());
        this.tokens = config.apiTokens().stream().map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
    }

    public static byte[] openApiDocument() {
        try (InputStream in = HttpGateway.class.getResourceAsStream("/openapi.json")) {
            if (in == null) {
                throw new IllegalStateException("openapi.json missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Future<HttpServer> listen() {
        return vertx.createHttpServer().requestHandler(router()).listen(config.httpPort(), config.httpHost());
    }

    public Router router() {
        Router router = Router.router(vertx);
        router.route().handler(this::measure);
        router.route("/v1/*").handler(this::authenticate);
        router.route().handler(BodyHandler.create(false).setBodyLimit(config.maxBodyBytes()));
        on(router, HttpMethod.GET, "/health", this::health);
        on(router, HttpMethod.GET, "/metrics", ctx -> ctx.response()
                .putHeader("Content-Type", "text/plain; version=0.0.4; charset=utf-8").end(metrics.scrape()));
        on(router, HttpMethod.GET, "/v1/openapi.json", ctx -> ctx.response()
                .putHeader("Content-Type", "application/json").end(openApi));
        on(router, HttpMethod.GET, "/v1/commands/:commandId", this::getCommand);
        for (ResourceType type : ResourceType.values()) {
            String collection = collectionRoute(type);
            String item = collection + "/:" + type.nameField();
            on(router, HttpMethod.GET, collection, ctx -> list(ctx, type));
            on(router, HttpMethod.POST, collection, ctx -> write(ctx, type, Operation.CREATE));
            on(router, HttpMethod.GET, item, ctx -> get(ctx, type));
            on(router, HttpMethod.PATCH, item, ctx -> write(ctx, type, Operation.MODIFY));
            on(router, HttpMethod.DELETE, item, ctx -> write(ctx, type, Operation.DELETE));
        }
        router.route().failureHandler(this::failure);
        router.errorHandler(404, ctx -> send(ctx, Problem.notFound("no route for " + ctx.request().path())));
        router.errorHandler(405, ctx -> send(ctx, Problem.of("method-not-allowed", "Method not allowed", 405)
                .detail(ctx.request().method() + " is not allowed on " + ctx.request().path())));
        return router;
    }

    /** The route templates the router serves, for the OpenAPI consistency test. */
    public static String collectionRoute(ResourceType type) {
        return type.hasParent()
                ? collectionRoute(type.parentType()) + "/:" + type.parentNameField() + "/" + type.segment()
                : "/v1/" + type.segment();
    }

    private static void on(Router router, HttpMethod method, String path, Handler<RoutingContext> handler) {
        router.route(method, path).handler(ctx -> {
            ctx.put(ROUTE, path);
            handler.handle(ctx);
        });
    }

    // --- cross-cutting

    private void measure(RoutingContext ctx) {
        long start = System.nanoTime();
        ctx.addEndHandler(v -> {
            String route = ctx.get(ROUTE);
            metrics.request(ctx.request().method().name(), route == null ? "unmatched" : route,
                    ctx.response().getStatusCode(), System.nanoTime() - start);
        });
        ctx.next();
    }

    private void authenticate(RoutingContext ctx) {
        if (tokens.isEmpty()) {
            ctx.next();
            return;
        }
        String header = ctx.request().getHeader("Authorization");
        if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            byte[] presented = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
            boolean ok = false;
            for (byte[] token : tokens) {
                ok |= MessageDigest.isEqual(token, presented);
            }
            if (ok) {
                ctx.next();
                return;
            }
        }
        ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"vda\"");
        send(ctx, Problem.of("unauthorized", "Authentication required", 401)
                .detail(header == null ? "send Authorization: Bearer <token>" : "the bearer token is not accepted"));
    }

    private void failure(RoutingContext ctx) {
        Throwable error = ctx.failure();
        if (error == null) {
            int status = ctx.statusCode();
            Problem p = switch (status) {
                case 413 -> Problem.of("payload-too-large", "Request body too large", 413)
                        .detail("the body exceeds " + config.maxBodyBytes() + " bytes");
                case 404 -> Problem.notFound("no route for " + ctx.request().path());
                default -> Problem.of("http-" + status, "HTTP " + status, status);
            };
            send(ctx, p);
            return;
        }
        fail(ctx, error);
    }

    private void fail(RoutingContext ctx, Throwable error) {
        if (ctx.response().ended()) {
            return;
        }
        if (error instanceof ProblemException pe) {
            send(ctx, pe.problem());
        } else if (error instanceof InvalidRequestException ire) {
            send(ctx, Problem.invalid(ire.errors()));
        } else if (error instanceof IdempotencyStore.KeyReusedException reused) {
            send(ctx, Problem.of("idempotency-key-reused", "Idempotency key reused for a different request", 422)
                    .detail(reused.field() + " " + reused.getMessage()).put("field", reused.field()));
        } else if (error instanceof PublishUnavailableException) {
            metrics.publishError("unavailable");
            LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), error.getMessage());
            ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
            send(ctx, Problem.of("kafka-unavailable", "Command bus unavailable", 503)
                    .detail("Kafka did not accept the command within " + Durations.format(config.publishTimeout())
                            + "; retry with the same Idempotency-Key"));
        } else if (error instanceof StoreUnavailableException) {
            LOG.warn("{} {}: {}", ctx.request().method(), ctx.request().path(), error.getMessage());
            ctx.response().putHeader("Retry-After", RETRY_AFTER_SECONDS);
            send(ctx, Problem.of("etcd-unavailable", "State store unavailable", 503)
                    .detail("etcd did not answer within " + Durations.format(config.etcdTimeout())));
        } else {
            LOG.error("{} {} failed", ctx.request().method(), ctx.request().path(), error);
            send(ctx, Problem.of("internal-error", "Internal error", 500).detail(error.toString()));
        }
    }

    private static void send(RoutingContext ctx, Problem problem) {
        if (ctx.response().ended()) {
            return;
        }
        ctx.response().setStatusCode(problem.status()).putHeader("Content-Type", Problem.MEDIA_TYPE)
                .end(problem.instance(ctx.request().path()).json().toString());
    }

    private static void json(RoutingContext ctx, int status, JsonNode body) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toString());
    }

    // --- health

    private void health(RoutingContext ctx) {
        Future<Boolean> etcdUp = etcd.get(keys.root()).map(x -> true).otherwise(false);
        Future<Boolean> kafkaUp = vertx.executeBlocking(() -> publisher.kafkaReachable(Duration.ofSeconds(2)), false);
        Future.join(etcdUp, kafkaUp).onComplete(ar -> {
            boolean e = etcdUp.succeeded() && etcdUp.result();
            boolean k = kafkaUp.succeeded() && kafkaUp.result();
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            body.put("status", e && k ? "UP" : "DOWN");
            body.putObject("checks").put("etcd", e ? "UP" : "DOWN").put("kafka", k ? "UP" : "DOWN");
            json(ctx, e && k ? 200 : 503, body);
        });
    }

    // --- reads

    private void get(RoutingContext ctx, ResourceType type) {
        String parent = type.hasParent() ? ctx.pathParam(type.parentNameField()) : null;
        String name = ctx.pathParam(type.nameField());
        if (!validName(parent, type.hasParent()) || !validName(name, true)) {
            send(ctx, Problem.notFound(type.words() + " " + type.resourceName(parent, name) + " does not exist"));
            return;
        }
        reader.get(type.etcdKey(keys, parent, name)).onSuccess(doc -> {
            if (doc.isEmpty()) {
                send(ctx, Problem.notFound(type.words() + " " + type.resourceName(parent, name) + " does not exist"));
            } else {
                json(ctx, 200, doc.get());
            }
        }).onFailure(e -> fail(ctx, e));
    }

    private static boolean validName(String name, boolean required) {
        return !required || Rules.name(name).isEmpty();
    }

    private void list(RoutingContext ctx, ResourceType type) {
        String parent = type.hasParent() ? ctx.pathParam(type.parentNameField()) : null;
        int limit;
        Optional<String> token = Optional.ofNullable(ctx.request().getParam("continue")).filter(s -> !s.isEmpty());
        try {
            limit = limit(ctx.request().getParam("limit"));
        } catch (InvalidRequestException e) {
            fail(ctx, e);
            return;
        }
        Future<Boolean> parentExists = !type.hasParent() ? Future.succeededFuture(true)
                : !validName(parent, true) ? Future.succeededFuture(false)
                : reader.get(type.parentType().etcdKey(keys, null, parent)).map(Optional::isPresent);
        parentExists.compose(exists -> {
            if (!exists) {
                throw new ProblemException(Problem.notFound(type.parentType().words() + " " + parent + " does not exist"));
            }
            return reader.list(type.etcdPrefix(keys, parent), limit, token);
        }).onSuccess(page -> {
            ObjectNode body = JsonNodeFactory.instance.objectNode();
            var items = body.putArray("items");
            page.items().forEach(items::add);
            body.put("continue", page.continueToken().orElse(null));
            json(ctx, 200, body);
        }).onFailure(e -> fail(ctx, e));
    }

    private static int limit(String raw) {
        if (raw == null || raw.isEmpty()) {
            return ProjectionReader.DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(raw);
            if (n >= 1 && n <= ProjectionReader.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw InvalidRequestException.of("limit", "must be an integer from 1 to " + ProjectionReader.MAX_LIMIT);
    }

    private void getCommand(RoutingContext ctx) {
        String id = ctx.pathParam("commandId");
        Duration wait;
        try {
            wait = requestedWait(ctx).orElse(Duration.ZERO);
            UUID.fromString(id);
        } catch (InvalidRequestException e) {
            fail(ctx, e);
            return;
        } catch (IllegalArgumentException e) {
            send(ctx, Problem.notFound("command " + id + " does not exist (command ids are UUIDs)"));
            return;
        }
        etcd.await(keys.commandOutcome(id), kv -> true, wait).compose(outcome -> {
            if (outcome.isPresent()) {
                return Future.succeededFuture(commandView(id, Optional.of(parse(outcome.get().getValue().getBytes()))));
            }
            return idempotency.known(id).map(known -> {
                if (!known) {
                    throw new ProblemException(Problem.notFound("command " + id + " is not known (never accepted,"
                            + " or older than " + Durations.format(config.idempotencyTtl()) + " without an outcome)"));
                }
                return commandView(id, Optional.empty());
            });
        }).onSuccess(view -> json(ctx, 200, view)).onFailure(e -> fail(ctx, e));
    }

    /** The command as the API shows it: the outcome document's fields, or status PENDING. */
    private static ObjectNode commandView(String id, Optional<JsonNode> outcome) {
        ObjectNode view = JsonNodeFactory.instance.objectNode();
        view.put("commandId", id);
        if (outcome.isPresent()) {
            JsonNode o = outcome.get();
            view.put("status", o.path("status").asText("UNKNOWN"));
            for (String f : List.of("commandType", "resourceKind", "resourceName", "reason", "message", "decidedAt")) {
                if (o.has(f)) {
                    view.set(f, o.get(f));
                }
            }
        } else {
            view.put("status", "PENDING");
        }
        view.put("statusUrl", "/v1/commands/" + id);
        return view;
    }

    // --- writes

    private void write(RoutingContext ctx, ResourceType type, Operation op) {
        CommandRequest request;
        Optional<String> idempotencyKey;
        Optional<Duration> wait;
        try {
            checkMediaType(ctx);
            JsonNode body = body(ctx);
            String parent = type.hasParent() ? ctx.pathParam(type.parentNameField()) : null;
            String name = op == Operation.CREATE ? null : ctx.pathParam(type.nameField());
            request = requests.parse(type, op, parent, name, body);
            idempotencyKey = idempotencyKey(ctx);
            wait = requestedWait(ctx);
        } catch (RuntimeException e) {
            fail(ctx, e);
            return;
        }
        long claimStart = System.nanoTime();
        idempotency.claim(idempotencyKey, request).compose(claim -> {
            metrics.stage("idempotency_claim", System.nanoTime() - claimStart);
            if (claim.replay()) {
                metrics.idempotentReplay();
                ctx.response().putHeader("Idempotent-Replayed", "true");
            }
            CommandRequest command = claim.commandId().equals(request.commandId()) ? request
                    : withCommandId(request, claim.commandId());
            Future<Boolean> decided = claim.replay()
                    ? etcd.get(keys.commandOutcome(command.commandId())).map(Optional::isPresent)
                    : Future.succeededFuture(false);
            // A replay whose command has no outcome yet is published again: the first attempt may never have
            // reached Kafka, and the allocator deduplicates by command id.
            return decided.compose(d -> d ? Future.succeededFuture(command) : publish(command));
        }).compose(command -> wait.isPresent() ? respondWhenDecided(ctx, command, wait.get())
                : Future.succeededFuture(accepted(ctx, command))).onFailure(e -> fail(ctx, e));
    }

    private Future<CommandRequest> publish(CommandRequest command) {
        Future<Void> topic = command.nodeTopic().map(publisher::ensureNodeTopic).orElse(Future.succeededFuture());
        long start = System.nanoTime();
        return topic.compose(v -> publisher.publish(command)).map(metadata -> {
            metrics.stage("kafka_publish", System.nanoTime() - start);
            metrics.published(command.commandType());
            LOG.debug("Accepted {} {} as command {} (offset {})", command.commandType(), command.resourceName(),
                    command.commandId(), metadata.offset());
            return command;
        });
    }

    private CommandRequest withCommandId(CommandRequest request, String commandId) {
        request.command().put(request.command().getSchema().getField("commandId").pos(), commandId);
        return new CommandRequest(commandId, request.clientCommandId(), request.command(), request.type(),
                request.operation(), request.parent(), request.name(), request.nodeTopic());
    }

    private Void accepted(RoutingContext ctx, CommandRequest command) {
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("commandId", command.commandId());
        body.put("commandType", command.commandType());
        body.put("status", "PENDING");
        body.put("resourceKind", command.type().kind().name());
        body.put("resourceName", command.resourceName());
        body.put("statusUrl", "/v1/commands/" + command.commandId());
        body.put("resourceUrl", command.resourcePath());
        ctx.response().putHeader("Location", "/v1/commands/" + command.commandId());
        json(ctx, 202, body);
        return null;
    }

    /** Holds the answer until the outcome is in etcd (watched, not polled) or the wait runs out (202). */
    private Future<Void> respondWhenDecided(RoutingContext ctx, CommandRequest command, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        return etcd.await(keys.commandOutcome(command.commandId()), kv -> true, wait).compose(outcome -> {
            if (outcome.isEmpty()) {
                metrics.waited("timeout");
                return Future.succeededFuture(accepted(ctx, command));
            }
            metrics.waited("decided");
            JsonNode doc = parse(outcome.get().getValue().getBytes());
            if ("REJECTED".equals(doc.path("status").asText())) {
                send(ctx, rejection(command, doc));
                return Future.succeededFuture();
            }
            if (command.operation() == Operation.DELETE) {
                ctx.response().setStatusCode(204).end();
                return Future.succeededFuture();
            }
            Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
            String resourceKey = command.resourceEtcdKey(keys);
            long outcomeRevision = outcome.get().getModRevision();
            // The document this command produced, or a later one (a later command may already have changed it).
            return etcd.await(resourceKey, kv -> kv.getModRevision() >= outcomeRevision || command.commandId().equals(
                    parse(kv.getValue().getBytes()).path("lastCommandId").asText()), left).map(resource -> {
                int status = command.operation() == Operation.CREATE ? 201 : 200;
                if (command.operation() == Operation.CREATE) {
                    ctx.response().putHeader("Location", command.resourcePath());
                }
                json(ctx, status, resource.<JsonNode>map(kv -> parse(kv.getValue().getBytes()))
                        .orElseGet(() -> commandView(command.commandId(), Optional.of(doc))));
                return null;
            });
        });
    }

    /** The allocator's refusal as a problem: 409 for conflicts with the current state, 404 for a missing target, else 422. */
    static Problem rejection(CommandRequest command, JsonNode outcome) {
        String reason = outcome.path("reason").isTextual() ? outcome.path("reason").asText() : "UNKNOWN";
        int status = switch (reason) {
            case "ALREADY_EXISTS", "IN_USE", "CONFLICT", "STALE" -> 409;
            case "NOT_FOUND" -> command.operation() == Operation.CREATE ? 422 : 404;
            default -> 422;
        };
        return Problem.of("command-rejected", "Command rejected: " + reason, status)
                .detail(outcome.path("message").asText(""))
                .put("reason", reason)
                .put("commandId", command.commandId())
                .put("statusUrl", "/v1/commands/" + command.commandId());
    }

    // --- request parsing

    private static void checkMediaType(RoutingContext ctx) {
        String type = ctx.request().getHeader("Content-Type");
        if (type == null || ctx.body().length() <= 0) {
            return;
        }
        String base = type.split(";", 2)[0].trim().toLowerCase();
        if (!base.equals("application/json") && !base.endsWith("+json")) {
            throw new ProblemException(Problem.of("unsupported-media-type", "Unsupported media type", 415)
                    .detail("send application/json, not " + base));
        }
    }

    private static JsonNode body(RoutingContext ctx) {
        if (ctx.body().length() <= 0) {
            return null;
        }
        try {
            return JSON.readTree(ctx.body().buffer().getBytes());
        } catch (JsonProcessingException e) {
            throw InvalidRequestException.of("body", "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode parse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new ProjectionReader.CorruptDocumentException("(document)", e);
        }
    }

    private static Optional<String> idempotencyKey(RoutingContext ctx) {
        String key = ctx.request().getHeader("Idempotency-Key");
        if (key == null) {
            return Optional.empty();
        }
        key = key.trim();
        if (key.length() >= 2 && key.startsWith("\"") && key.endsWith("\"")) {
            key = key.substring(1, key.length() - 1); // the draft standard's sf-string form
        }
        if (!IdempotencyStore.KEY_SYNTAX.matcher(key).matches()) {
            throw InvalidRequestException.of("Idempotency-Key",
                    "must be 1 to 200 characters of letters, digits and . _ : ~ -");
        }
        return Optional.of(key);
    }

    /** {@code ?wait=30s} or {@code Prefer: wait=30}; capped at VDA_MAX_WAIT. */
    private Optional<Duration> requestedWait(RoutingContext ctx) {
        String param = ctx.request().getParam("wait");
        Duration wait = null;
        if (param != null) {
            try {
                wait = Durations.parse(param);
            } catch (IllegalArgumentException e) {
                throw InvalidRequestException.of("wait", "must be a duration such as 30s or 500ms");
            }
        } else {
            String prefer = ctx.request().getHeader("Prefer");
            if (prefer != null) {
                Matcher m = PREFER_WAIT.matcher(prefer);
                if (m.find()) {
                    wait = Duration.ofSeconds(Long.parseLong(m.group(1)));
                    ctx.response().putHeader("Preference-Applied", "wait=" + Math.min(wait.toSeconds(),
                            config.maxWait().toSeconds()));
                }
            }
        }
        if (wait == null) {
            return Optional.empty();
        }
        return Optional.of(wait.compareTo(config.maxWait()) > 0 ? config.maxWait() : wait);
    }
}
