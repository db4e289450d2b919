package dev.llmproxy.cluster;


import dev.llmproxy.support.GatewayHarness;
import dev.llmproxy.support.MutableClock;
import dev.llmproxy.support.PromText;
import dev.llmproxy.support.RedisServer;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Several gateway replicas in one test, each on its own Vert.x instance (as separate processes would be), sharing
 * one real {@code redis-server} and one hand-driven clock, plus a client that can send from several loopback
 * addresses (so one test can be several client IPs).
 */
final class Fleet implements AutoCloseable {

  static final String CHAT = "/v1/chat/completions";

  /** One answer, with how long the client waited for it. */
  record Answer(int status, MultiMap headers, String body, long millis) {
    String header(String name) {
      return headers.get(name);
    }

    JsonObject json() {
      return new JsonObject(body);
    }
  }

  final RedisServer redis;
  final MutableClock clock;
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<GatewayHarness> replicas = new ArrayList<>();
  private final Vertx clientVertx = Vertx.vertx();
  private final Map<String, HttpClient> clients = new ConcurrentHashMap<>();
  // Every request starts on this one context: from the test thread each would get a fresh one (see LoopbackClient).
  private final io.vertx.core.Context context = clientVertx.getOrCreateContext();

  private Fleet(RedisServer redis, MutableClock clock) {
    this.redis = redis;
    this.clock = clock;
  }

  /** Starts {@code n} replicas; {@code yaml} gets the replica's index (0-based) and must include {@code cluster:}. */
  static Fleet start(RedisServer redis, MutableClock clock, int n, IntFunction<String> yaml) {
    Fleet fleet = new Fleet(redis, clock);
    for (int i = 0; i < n; i++) {
      Vertx vertx = Vertx.vertx();
      fleet.vertxes.add(vertx);
      fleet.replicas.add(GatewayHarness.start(vertx, yaml.apply(i), Map.of(), 1, clock));
    }
    return fleet;
  }

  /**
   * The {@code cluster:} section for this fleet's Redis. Tests that are not about slow Redis allow 2 s per call:
   * on a busy 2-core machine a first call (class loading, JIT) can take longer than the 50 ms default, and a
   * replica that times out goes local, which those tests are not about.
   */
  static String cluster(RedisServer redis, String redisExtra) {
    return "cluster:\n  redis: {url: \"" + redis.url() + "\", timeout: 2s" + redisExtra + "}\n";
  }

  GatewayHarness replica(int i) {
    return replicas.get(i);
  }

  int size() {
    return replicas.size();
  }

  /** POSTs a chat request for {@code model} to replica {@code i}, from loopback address {@code fromIp}. */
  Future<Answer> chat(int i, String fromIp, String model) {
    HttpClient client = clients.computeIfAbsent(fromIp, ip -> clientVertx.createHttpClient(
        new HttpClientOptions().setLocalAddress(ip).setConnectTimeout(5000).setIdleTimeout(30),
        new PoolOptions().setHttp1MaxSize(64)));
    int port = replicas.get(i).gateway().port();
    io.vertx.core.Promise<Answer> answer = io.vertx.core.Promise.promise();
    context.runOnContext(v -> {
      long started = System.nanoTime();
      client.request(HttpMethod.POST, port, "127.0.0.1", CHAT)
          .compose(req -> req.putHeader("content-type", "application/json").send(GatewayHarness.chat(model, false)))
          .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.headers(), b.toString(),
              (System.nanoTime() - started) / 1_000_000)))
          .onComplete(answer);
    });
    return answer.future();
  }

  Answer chatNow(int i, String model) {
    return await(chat(i, "127.0.0.1", model));
  }

  /** Sends {@code perReplica} requests to every replica at once and returns every answer. */
  List<Answer> wave(int perReplica, String fromIp, String model) {
    List<Future<Answer>> sent = new ArrayList<>();
    for (int r = 0; r < perReplica; r++) {
      for (int i = 0; i < replicas.size(); i++) {
        sent.add(chat(i, fromIp, model));
      }
    }
    return all(sent);
  }

  static List<Answer> all(List<Future<Answer>> futures) {
    await(Future.all(futures));
    return futures.stream().map(Future::result).toList();
  }

  static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("request failed: " + e, e);
    }
  }

  static long count(List<Answer> answers, int status) {
    return answers.stream().filter(a -> a.status() == status).count();
  }

  /** The replica's {@code /livez} {@code cluster_mode}. */
  String mode(int i) {
    return new JsonObject(replicas.get(i).get("/livez").body()).getString("cluster_mode");
  }

  /** Waits until every replica reports {@code mode} on /livez. */
  void awaitMode(String mode) {
    for (int i = 0; i < replicas.size(); i++) {
      int replica = i;
      org.awaitility.Awaitility.await("replica " + i + " in " + mode + " mode").atMost(RedisServer.NOTICE)
          .pollInterval(Duration.ofMillis(20)).until(() -> mode.equals(mode(replica)));
    }
  }

  PromText metrics(int i) {
    return PromText.parse(replicas.get(i).get("/metrics").body());
  }

  /** Whether replica {@code i}'s cooldown gauge shows the route cooling. */
  boolean cooling(int i, String backend, String model) {
    return metrics(i).value("llmproxy_cooldown_active", "backend", backend, "model", model) == 1.0;
  }

  @Override
  public void close() {
    for (GatewayHarness replica : replicas) {
      try {
        replica.close();
      } catch (RuntimeException e) {
        // the others still close
      }
    }
    for (Vertx v : vertxes) {
      v.close().await();
    }
    clientVertx.close().await();
  }
}
