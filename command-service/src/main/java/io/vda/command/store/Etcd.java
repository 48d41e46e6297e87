package io.vda.command.store;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * jetcd calls as Vert.x futures completed on the caller's context, each with a deadline: the event loop never
 * blocks on etcd, and an etcd that does not answer becomes a {@link StoreUnavailableException} (503), not a hang.
 */
public final class Etcd {

    private final Client client;
    private final Vertx vertx;
    private final Duration timeout;

    public Etcd(Client client, Vertx vertx, Duration timeout) {
        this.client = client;
        this.vertx = vertx;
        this.timeout = timeout;
    }

    public Client client() {
        return client;
    }

    public static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    public static String string(ByteSequence b) {
        return b.toString(StandardCharsets.UTF_8);
    }

    /** Runs one jetcd call; its result is delivered on the calling Vert.x context. */
    public <T> Future<T> call(String what, Supplier<CompletableFuture<T>> op) {
        Context context = vertx.getOrCreateContext();
        CompletableFuture<T> future;
        try {
            future = op.get().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return Future.failedFuture(unavailable(what, e));
        }
        Promise<T> promise = Promise.promise();
        future.whenComplete((value, error) -> context.runOnContext(v -> {
            if (error == null) {
                promise.complete(value);
            } else {
                promise.fail(unavailable(what, error));
            }
        }));
        return promise.future();
    }

    private static Throwable unavailable(String what, Throwable error) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        return new StoreUnavailableException("etcd " + what + " failed: " + cause, cause);
    }

    public Future<GetResponse> getResponse(String key) {
        return call("get " + key, () -> client.getKVClient().get(bytes(key)));
    }

    public Future<Optional<KeyValue>> get(String key) {
        return getResponse(key).map(r -> r.getKvs().isEmpty() ? Optional.empty() : Optional.of(r.getKvs().get(0)));
    }

    /** Keys in [from, to), in key order, at most {@code limit}. */
    public Future<GetResponse> range(String from, ByteSequence to, long limit) {
        GetOption option = GetOption.builder().withRange(to).withLimit(limit)
                .withSortField(GetOption.SortTarget.KEY).withSortOrder(GetOption.SortOrder.ASCEND).build();
        return call("range " + from, () -> client.getKVClient().get(bytes(from), option));
    }

    /**
     * The key's value once it satisfies {@code until}, by reading it and then watching it from the next revision
     * (an etcd watch, no polling). When {@code timeout} passes first, the latest value seen (possibly none).
     */
    public Future<Optional<KeyValue>> await(String key, Predicate<KeyValue> until, Duration timeout) {
        return getResponse(key).compose(response -> {
            Optional<KeyValue> current = response.getKvs().isEmpty() ? Optional.empty()
                    : Optional.of(response.getKvs().get(0));
            if (current.filter(until).isPresent() || timeout.isZero() || timeout.isNegative()) {
                return Future.succeededFuture(current);
            }
            return watch(key, response.getHeader().getRevision() + 1, until, timeout, current);
        });
    }

    private Future<Optional<KeyValue>> watch(String key, long fromRevision, Predicate<KeyValue> until,
            Duration timeout, Optional<KeyValue> initial) {
        Context context = vertx.getOrCreateContext();
        Promise<Optional<KeyValue>> promise = Promise.promise();
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<Optional<KeyValue>> latest = new AtomicReference<>(initial);
        AtomicReference<Watch.Watcher> watcher = new AtomicReference<>();
        AtomicReference<Long> timer = new AtomicReference<>();
        Runnable finish = () -> {
            Watch.Watcher w = watcher.get();
            if (w != null) {
                w.close();
            }
        };
        Watch.Listener listener = Watch.listener(response -> {
            for (WatchEvent event : response.getEvents()) {
                if (event.getEventType() == WatchEvent.EventType.PUT) {
                    latest.set(Optional.of(event.getKeyValue()));
                    if (until.test(event.getKeyValue()) && done.compareAndSet(false, true)) {
                        context.runOnContext(v -> {
                            finish.run();
                            Long t = timer.get();
                            if (t != null) {
                                vertx.cancelTimer(t);
                            }
                            promise.complete(latest.get());
                        });
                    }
                } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                    latest.set(Optional.empty());
                }
            }
        }, error -> {
            if (done.compareAndSet(false, true)) {
                context.runOnContext(v -> {
                    finish.run();
                    Long t = timer.get();
                    if (t != null) {
                        vertx.cancelTimer(t);
                    }
                    promise.fail(unavailable("watch " + key, error));
                });
            }
        });
        try {
            watcher.set(client.getWatchClient().watch(bytes(key),
                    WatchOption.builder().withRevision(fromRevision).build(), listener));
        } catch (RuntimeException e) {
            return Future.failedFuture(unavailable("watch " + key, e));
        }
        timer.set(vertx.setTimer(Math.max(1, timeout.toMillis()), id -> {
            if (done.compareAndSet(false, true)) {
                finish.run();
                promise.complete(latest.get());
            }
        }));
        if (done.get()) {
            // The watch answered before the timer was set: the completion path could not cancel it.
            vertx.cancelTimer(timer.get());
        }
        return promise.future();
    }
}
