package io.vda.agent.spdk;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JSON-RPC 2.0 to SPDK over its Unix domain socket. Requests carry increasing numeric ids (SPDK v23.09 sends a
 * broken answer to id-less requests), may be pipelined, and time out. When the socket goes away every pending
 * call fails with {@link SpdkTransportException} and the next call connects again.
 */
public final class SpdkConnection implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SpdkConnection.class);

    private record Pending(String method, CompletableFuture<JsonNode> future, SocketChannel channel) {
    }

    private final Path socketPath;
    private final Duration timeout;
    private final ObjectMapper mapper;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, Pending> pending = new ConcurrentHashMap<>();
    private final Object writeLock = new Object();
    private SocketChannel channel;
    private volatile boolean closed;

    public SpdkConnection(Path socketPath, Duration timeout, ObjectMapper mapper) {
        this.socketPath = socketPath;
        this.timeout = timeout;
        this.mapper = mapper;
    }

    public Path socketPath() {
        return socketPath;
    }

    /** Sends one request; the future completes with the result, or fails with an {@link SpdkException}. */
    public CompletableFuture<JsonNode> callAsync(String method, JsonNode params) {
        long id = ids.incrementAndGet();
        CompletableFuture<JsonNode> future = new CompletableFuture<>();
        ObjectNode req = mapper.createObjectNode();
        req.put("jsonrpc", "2.0");
        req.put("method", method);
        req.put("id", id);
        if (params != null && !params.isNull()) {
            req.set("params", params);
        }
        try {
            byte[] bytes = mapper.writeValueAsBytes(req);
            synchronized (writeLock) {
                SocketChannel c = connected();
                pending.put(id, new Pending(method, future, c));
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    c.write(buf);
                }
            }
        } catch (IOException e) {
            pending.remove(id);
            dropChannel();
            future.completeExceptionally(new SpdkTransportException(
                    "cannot send " + method + " to SPDK at " + socketPath + ": " + e.getMessage(), e));
            return future;
        }
        return future.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(id))
                .exceptionallyCompose(e -> CompletableFuture.failedFuture(translate(method, e)));
    }

    /** Blocking call; throws {@link SpdkRpcException} or {@link SpdkTransportException}. */
    public JsonNode call(String method, JsonNode params) {
        try {
            return callAsync(method, params).get();
        } catch (ExecutionException e) {
            throw (SpdkException) translate(method, e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SpdkTransportException("interrupted waiting for " + method, e);
        }
    }

    private Throwable translate(String method, Throwable e) {
        Throwable cause = e instanceof CompletionException || e instanceof ExecutionException ? e.getCause() : e;
        if (cause instanceof SpdkException) {
            return cause;
        }
        if (cause instanceof TimeoutException) {
            return new SpdkTransportException(method + ": no answer from SPDK within " + timeout, cause);
        }
        return new SpdkTransportException(method + ": " + cause, cause);
    }

    private SocketChannel connected() throws IOException {
        if (closed) {
            throw new IOException("connection closed");
        }
        if (channel == null || !channel.isOpen()) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                c.connect(UnixDomainSocketAddress.of(socketPath));
            } catch (IOException e) {
                c.close();
                throw e;
            }
            channel = c;
            Thread reader = new Thread(() -> readLoop(c), "spdk-rpc-reader");
            reader.setDaemon(true);
            reader.start();
            LOG.debug("connected to SPDK at {}", socketPath);
        }
        return channel;
    }

    private void readLoop(SocketChannel c) {
        try (InputStream in = Channels.newInputStream(c); JsonParser parser = mapper.createParser(in)) {
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                JsonNode resp = mapper.readTree(parser);
                complete(resp);
            }
        } catch (IOException e) {
            if (!closed) {
                LOG.debug("SPDK connection {} ended: {}", socketPath, e.toString());
            }
        } finally {
            synchronized (writeLock) {
                if (channel == c) {
                    channel = null;
                }
            }
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing {}: {}", socketPath, e.toString());
            }
            failAll(c, new SpdkTransportException("SPDK connection at " + socketPath + " went away", null));
        }
    }

    private void complete(JsonNode resp) {
        JsonNode idNode = resp.get("id");
        if (idNode == null || !idNode.canConvertToLong()) {
            LOG.warn("SPDK answer without a usable id: {}", resp);
            return;
        }
        Pending p = pending.remove(idNode.asLong());
        if (p == null) {
            return; // answer to a call that already timed out
        }
        JsonNode error = resp.get("error");
        if (error != null && !error.isNull()) {
            int code = error.path("code").asInt();
            String message = error.path("message").asText();
            p.future().completeExceptionally(new SpdkRpcException(p.method(), code, message,
                    SpdkErrorClassifier.classify(p.method(), code, message)));
        } else {
            p.future().complete(resp.get("result"));
        }
    }

    /** Fails the calls sent on one channel (null: all of them). */
    private void failAll(SocketChannel c, SpdkTransportException e) {
        for (Map.Entry<Long, Pending> entry : pending.entrySet()) {
            Pending p = entry.getValue();
            if ((c == null || p.channel() == c) && pending.remove(entry.getKey(), p)) {
                p.future().completeExceptionally(e);
            }
        }
    }

    private void dropChannel() {
        synchronized (writeLock) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("closing {}: {}", socketPath, e.toString());
                }
                channel = null;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        dropChannel();
        failAll(null, new SpdkTransportException("client closed", null));
    }
}
