package io.vda.infra.spdk;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SPDK's JSON-RPC 2.0 server on a Unix domain socket, with v23.09's wire behaviour: many requests per
 * connection, answers end with a newline, malformed JSON closes the connection, incomplete JSON waits,
 * batches / wrong version / non-string method give -32600 with a null id, and a request without an id that
 * succeeds gets a truncated answer (no closing brace, no newline).
 */
final class JsonRpcServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonRpcServer.class);

    /** Called after an answer has been written, so that spdk_kill_instance can reply before the end. */
    interface AfterReply {
        void run();
    }

    private final Path socketPath;
    private final RpcDispatcher dispatcher;
    private final AfterReply afterReply;
    private final ServerSocketChannel server;
    private final Set<SocketChannel> clients = ConcurrentHashMap.newKeySet();

    JsonRpcServer(Path socketPath, RpcDispatcher dispatcher, AfterReply afterReply) throws IOException {
        this.socketPath = socketPath;
        this.dispatcher = dispatcher;
        this.afterReply = afterReply;
        Files.deleteIfExists(socketPath);
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Thread t = new Thread(this::acceptLoop, "spdk-rpc-accept");
        t.setDaemon(true);
        t.start();
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                SocketChannel c = server.accept();
                clients.add(c);
                Thread t = new Thread(() -> serve(c), "spdk-rpc-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (server.isOpen()) {
                    LOG.warn("accept on {} failed: {}", socketPath, e.toString());
                }
            }
        }
    }

    private void serve(SocketChannel channel) {
        ByteArrayOutputStream pending = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (channel) {
            while (channel.read(buf) >= 0) {
                buf.flip();
                pending.write(buf.array(), 0, buf.limit());
                buf.clear();
                byte[] data = pending.toByteArray();
                int start = 0;
                while (true) {
                    int end = JsonFraming.endOfValue(data, start);
                    if (end == JsonFraming.INCOMPLETE) {
                        break;
                    }
                    if (end == JsonFraming.MALFORMED) {
                        return;
                    }
                    if (!handle(channel, Arrays.copyOfRange(data, JsonFraming.skipBlanks(data, start), end))) {
                        return;
                    }
                    start = end;
                }
                pending.reset();
                pending.write(data, start, data.length - start);
            }
        } catch (IOException e) {
            LOG.debug("rpc connection ended: {}", e.toString());
        } finally {
            clients.remove(channel);
        }
    }

    /** Handles one complete JSON text; false closes the connection. */
    private boolean handle(SocketChannel channel, byte[] text) throws IOException {
        JsonNode req;
        try {
            req = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            return false;
        }
        if (!req.isObject()) {
            write(channel, error(null, RpcError.INVALID_REQUEST, "Invalid request"), true);
            return true;
        }
        JsonNode version = req.get("jsonrpc");
        JsonNode method = req.get("method");
        if ((version != null && !(version.isTextual() && version.asText().equals("2.0")))
                || method == null || !method.isTextual()) {
            write(channel, error(null, RpcError.INVALID_REQUEST, "Invalid request"), true);
            return true;
        }
        JsonNode id = req.get("id");
        boolean notification = id == null || id.isNull();
        ObjectNode answer;
        try {
            JsonNode result = dispatcher.dispatch(method.asText(), req.get("params"));
            answer = Json.object();
            answer.put("jsonrpc", "2.0");
            answer.set("id", notification ? null : id);
            answer.set("result", result);
            // v23.09 quirk, kept on purpose: a successful request without id gets a truncated answer.
            write(channel, answer, !notification);
        } catch (RpcError e) {
            write(channel, error(notification ? null : id, e.code(), e.getMessage()), true);
        }
        afterReply.run();
        return true;
    }

    private static ObjectNode error(JsonNode id, int code, String message) {
        ObjectNode o = Json.object();
        o.put("jsonrpc", "2.0");
        o.set("id", id);
        ObjectNode e = o.putObject("error");
        e.put("code", code);
        e.put("message", message);
        return o;
    }

    private static void write(SocketChannel channel, ObjectNode answer, boolean complete) throws IOException {
        String text = Json.MAPPER.writeValueAsString(answer);
        text = complete ? text + "\n" : text.substring(0, text.length() - 1);
        ByteBuffer out = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        while (out.hasRemaining()) {
            channel.write(out);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", socketPath, e.toString());
        }
        for (SocketChannel c : clients) {
            try {
                c.close();
            } catch (IOException e) {
                LOG.debug("closing client: {}", e.toString());
            }
        }
        try {
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            LOG.debug("removing {}: {}", socketPath, e.toString());
        }
    }
}
