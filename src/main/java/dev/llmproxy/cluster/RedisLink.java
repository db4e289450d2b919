package dev.llmproxy.cluster;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.llmproxy.config.ClusterSettings;
import dev.llmproxy.observability.Metrics;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica's connection to Redis and its {@link ClusterMode}. Every call goes through {@link #call}: made only
 * in shared mode, bounded by {@code cluster.redis.timeout} (a request is never held longer), completed on the
 * caller's event loop. The first failure or timeout switches the replica to local mode at once; from then on no
 * request touches Redis, and a background check pings it every {@link #CHECK_INTERVAL}. When it answers again,
 * the re-sync steps run (the owners push what they learnt alone and pull what the fleet knows), and only then
 * is the mode shared again.
 */
final class RedisLink {

  private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
  static final Duration CHECK_INTERVAL = Duration.ofMillis(250);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
  private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);

  private final Vertx vertx;
  private final ClusterSettings settings;
  private final Metrics metrics;
  private final String replicaId;
  private final ClientResources resources;
  private final RedisClient client;
  private final RedisURI uri;
  private final AtomicReference<ClusterMode> mode = new AtomicReference<>(ClusterMode.LOCAL);
  private final List<Supplier<Future<Void>>> resyncSteps = new CopyOnWriteArrayList<>();
  private final Map<String, Consumer<String>> channels = new ConcurrentHashMap<>();
  private final AtomicBoolean checking = new AtomicBoolean();
  private volatile StatefulRedisConnection<String, byte[]> connection;
  private volatile StatefulRedisPubSubConnection<String, String> pubsub;
  private volatile boolean closing;
  private long checkTimer = -1;

  RedisLink(Vertx vertx, ClusterSettings settings, Metrics metrics, String replicaId) {
    this.vertx = vertx;
    this.settings = settings;
    this.metrics = metrics;
    this.replicaId = replicaId;
    this.resources = DefaultClientResources.builder()
        .ioThreadPoolSize(2)
        .computationThreadPoolSize(2)
        // Reconnect soon after Redis comes back: the default backoff grows to 30 s.
        .reconnectDelay(Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
        .build();
    this.uri = RedisURI.create(settings.redisUrl().value());
    uri.setTimeout(settings.timeout());
    this.client = RedisClient.create(resources, uri);
    client.setOptions(ClientOptions.builder()
        .autoReconnect(true)
        // While disconnected, fail at once instead of queueing: the request then goes on in local mode.
        .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
        // Commands caught by a disconnect belong to requests that have moved on (timeout): never replay them,
        // e.g. a slot acquisition replayed after a reconnect would hold a lease nobody releases.
        .replayFilter(command -> true)
        .timeoutOptions(TimeoutOptions.enabled(settings.timeout()))
        .socketOptions(SocketOptions.builder().connectTimeout(CONNECT_TIMEOUT).keepAlive(true).build())
        .build());
    client.addListener(new RedisConnectionStateListener() {
      @Override
      public void onRedisDisconnected(RedisChannelHandler<?, ?> handler) {
        failed("connection", new RedisUnavailable("connection lost"));
      }
    });
  }

  String replicaId() {
    return replicaId;
  }

  ClusterSettings settings() {
    return settings;
  }

  ClusterMode mode() {
    return mode.get();
  }

  boolean shared() {
    return mode.get() == ClusterMode.REDIS;
  }

  /** The command connection, once it was established (it then reconnects by itself). */
  StatefulRedisConnection<String, byte[]> connection() {
    return connection;
  }

  /** A step to run (in registration order) each time Redis is reachable again, before sharing resumes. */
  void onResync(Supplier<Future<Void>> step) {
    resyncSteps.add(step);
  }

  /** Messages on {@code channel} go to {@code listener}, on a Redis client thread. Register before start. */
  void subscribe(String channel, Consumer<String> listener) {
    channels.put(channel, listener);
  }

  /** Connects, re-syncs and shares; completes after the first attempt, successful or not (never fails). */
  Future<Void> start() {
    return connectAndShare().transform(ar -> {
      if (ar.failed()) {
        metrics.clusterRedisError("connect");
        LOG.warn("redis unreachable at start: limits and cooldowns are per process until it answers",
            kv("error", String.valueOf(ar.cause().getMessage())), kv("replica", replicaId),
            kv("on_unavailable", settings.onUnavailable().name().toLowerCase()));
        scheduleCheck();
      }
      return Future.<Void>succeededFuture();
    });
  }

  /**
   * Runs one Redis operation for a request. Fails at once with {@link RedisUnavailable} in local mode; fails
   * after {@code cluster.redis.timeout} at the latest; any failure is counted under {@code operation} and
   * switches the replica to local mode.
   */
  <T> Future<T> call(String operation, Supplier<? extends CompletionStage<T>> command) {
    if (!shared()) {
      return Future.failedFuture(new RedisUnavailable("local mode"));
    }
    return attempt(operation, command);
  }

  /** {@link #call} with the commands of the shared connection. */
  <T> Future<T> command(String operation,
      java.util.function.Function<RedisAsyncCommands<String, byte[]>, ? extends CompletionStage<T>> command) {
    return call(operation, () -> command.apply(connection.async()));
  }

  /** Without the mode check: for the re-sync steps, which run before the mode is shared again. */
  <T> Future<T> attempt(String operation, Supplier<? extends CompletionStage<T>> command) {
    Context context = vertx.getOrCreateContext();
    Promise<T> promise = Promise.promise();
    long timer = vertx.setTimer(Math.max(1, settings.timeout().toMillis()), id -> {
      if (promise.tryFail(new RedisUnavailable("no answer within " + settings.timeout().toMillis() + " ms"))) {
        failed(operation, null);
      }
    });
    CompletionStage<T> stage;
    try {
      stage = command.get();
    } catch (RuntimeException e) {
      vertx.cancelTimer(timer);
      failed(operation, e);
      return Future.failedFuture(e);
    }
    stage.whenComplete((value, error) -> context.runOnContext(v -> {
      vertx.cancelTimer(timer);
      if (error == null) {
        promise.tryComplete(value);
      } else if (promise.tryFail(error)) {
        failed(operation, error);
      }
    }));
    return promise.future();
  }

  /** A call that failed or timed out: counted, and the replica goes local until Redis answers again. */
  void failed(String operation, Throwable cause) {
    if (closing) {
      return;
    }
    metrics.clusterRedisError(operation);
    if (mode.compareAndSet(ClusterMode.REDIS, ClusterMode.LOCAL)) {
      LOG.warn("redis unavailable: limits and cooldowns are per process until it answers again",
          kv("operation", operation), kv("error", cause == null ? "timeout" : String.valueOf(cause.getMessage())),
          kv("on_unavailable", settings.onUnavailable().name().toLowerCase()), kv("replica", replicaId));
      vertx.runOnContext(v -> scheduleCheck());
    }
  }

  private synchronized void scheduleCheck() {
    if (checkTimer >= 0 || closing) {
      return;
    }
    checkTimer = vertx.setPeriodic(CHECK_INTERVAL.toMillis(), id -> check());
  }

  private synchronized void cancelCheck() {
    if (checkTimer >= 0) {
      vertx.cancelTimer(checkTimer);
      checkTimer = -1;
    }
  }

  /** One background check while local: connect if never connected, ping, and re-sync when it answers. */
  private void check() {
    if (shared() || closing || !checking.compareAndSet(false, true)) {
      return;
    }
    connectAndShare().onComplete(ar -> checking.set(false));
  }

  private Future<Void> connectAndShare() {
    Future<Void> connected = connection == null ? connect() : Future.succeededFuture();
    return connected
        .compose(v -> attempt("ping", () -> connection.async().ping()))
        .compose(pong -> pubsub.isOpen() ? Future.succeededFuture() : Future.failedFuture(
            new RedisUnavailable("subscription connection not open")))
        .compose(v -> resync())
        .onSuccess(v -> {
          if (mode.compareAndSet(ClusterMode.LOCAL, ClusterMode.REDIS)) {
            cancelCheck();
            LOG.info("redis reachable: limits and cooldowns are shared with the fleet", kv("replica", replicaId));
          }
        });
  }

  private Future<Void> connect() {
    Context context = vertx.getOrCreateContext();
    Promise<Void> done = Promise.promise();
    client.connectAsync(CODEC, uri).whenComplete((conn, error) -> {
      if (error != null) {
        context.runOnContext(v -> done.tryFail(error));
        return;
      }
      client.connectPubSubAsync(StringCodec.UTF8, uri).whenComplete((sub, subError) -> {
        if (subError != null) {
          conn.closeAsync();
          context.runOnContext(v -> done.tryFail(subError));
          return;
        }
        sub.addListener(new RedisPubSubAdapter<>() {
          @Override
          public void message(String channel, String message) {
            Consumer<String> listener = channels.get(channel);
            if (listener != null) {
              listener.accept(message);
            }
          }
        });
        List<String> names = new ArrayList<>(channels.keySet());
        CompletionStage<Void> subscribed = names.isEmpty()
            ? java.util.concurrent.CompletableFuture.completedFuture(null)
            : sub.async().subscribe(names.toArray(String[]::new)).toCompletableFuture();
        subscribed.whenComplete((ok, e) -> context.runOnContext(v -> {
          if (e != null) {
            conn.closeAsync();
            sub.closeAsync();
            done.tryFail(e);
            return;
          }
          connection = conn;
          pubsub = sub;
          done.tryComplete();
        }));
      });
    });
    return done.future();
  }

  private Future<Void> resync() {
    Future<Void> chain = Future.succeededFuture();
    for (Supplier<Future<Void>> step : resyncSteps) {
      chain = chain.compose(v -> step.get());
    }
    return chain;
  }

  /** Stops checking and closes the connections; nothing is released in Redis (leases expire by themselves). */
  Future<Void> close() {
    closing = true;
    cancelCheck();
    List<Future<?>> closed = new ArrayList<>();
    if (connection != null) {
      closed.add(Future.fromCompletionStage(connection.closeAsync()));
    }
    if (pubsub != null) {
      closed.add(Future.fromCompletionStage(pubsub.closeAsync()));
    }
    return Future.join(closed).otherwiseEmpty()
        .compose(v -> Future.fromCompletionStage(client.shutdownAsync(0, 2, TimeUnit.SECONDS)))
        .otherwiseEmpty()
        .compose(v -> {
          Promise<Void> down = Promise.promise();
          resources.shutdown(0, 2, TimeUnit.SECONDS).addListener(f -> down.tryComplete());
          return down.future();
        });
  }

  static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
