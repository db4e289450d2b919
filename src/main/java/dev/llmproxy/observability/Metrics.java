package dev.llmproxy.observability;

import dev.llmproxy.config.Alias;
import dev.llmproxy.config.Route;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.pipeline.AttemptRecord;
import dev.llmproxy.pipeline.RequestContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiPredicate;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The gateway's Prometheus metrics, one instance per gateway, shared by every event loop (meters are
 * thread-safe). {@code GET /metrics} serves {@link #scrape()}.
 *
 * <p>Cardinality is bounded by construction: label values are config names (alias, backend, route model, limit
 * name), enum-like words (status class, result, level, token type, failure kind), never raw client input
 * (no IPs, no requested model strings: an unknown alias is counted as {@code alias="none"}). A filter caps each
 * label at {@link #MAX_LABEL_VALUES} values anyway, in case a config grows without bound across reloads.
 *
 * <p>Sources: the pipeline finisher ({@link #requestFinished}: requests, latency, TTFB, attempts, retries and
 * L1/L2 fallbacks from the attempt trail, tokens, upstream connection errors); and, bound in {@code Gateway} and
 * read at scrape time, the owners' own state: in-flight count, config version, cooldowns, rate-limit and queue
 * rejections, queue depth; config reload results come from the watcher's result listener.
 */
public final class Metrics {

  public static final String NONE = "none";
  static final int MAX_LABEL_VALUES = 1000;

  /** Latency buckets in seconds: LLM answers take from tens of milliseconds (cached, tiny) to minutes. */
  private static final Duration[] LATENCY_BUCKETS = durations(
      0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600);
  private static final Duration[] TTFB_BUCKETS = durations(
      0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120);

  /** From one attempt to the next: the same route again, another route of the alias (L1), another alias (L2). */
  public enum Move { RETRY, L1, L2 }

  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<String, AtomicReference<BooleanSupplier>> cooldowns = new ConcurrentHashMap<>();
  private volatile IntSupplier queueDepth = () -> 0;
  private volatile IntSupplier inFlight = () -> 0;
  private volatile java.util.function.Supplier<String> clusterMode;
  /** Function counters hold their source weakly; a lambda nobody else holds would read 0 after a GC. */
  private final List<Object> counterSources = new java.util.concurrent.CopyOnWriteArrayList<>();

  public Metrics() {
    for (String label : List.of("alias", "backend", "model", "limit")) {
      registry.config().meterFilter(MeterFilter.maximumAllowableTags("llmproxy", label, MAX_LABEL_VALUES,
          MeterFilter.deny()));
    }
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    Gauge.builder("llmproxy.in_flight.requests", () -> inFlight.getAsInt())
        .description("Proxied requests being served, streams included").register(registry);
    Gauge.builder("llmproxy.queue.depth", () -> queueDepth.getAsInt())
        .description("Requests waiting for a concurrency slot").register(registry);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Pipeline finisher: everything one finished request says, derived from its context. */
  public void requestFinished(RequestContext ctx) {
    String alias = ctx.alias() == null ? NONE : ctx.alias().name();
    String backend = ctx.servedBy() == null ? NONE : ctx.servedBy().backend().name();
    Counter.builder("llmproxy.requests")
        .description("Proxied requests by alias, serving backend and status class")
        .tags("alias", alias, "backend", backend, "status_class", statusClass(ctx.status()),
            "stream", String.valueOf(ctx.stream()))
        .register(registry).increment();
    Timer.builder("llmproxy.request.duration")
        .description("Whole request, from arrival to the end of the response (streams included)")
        .tags("alias", alias, "backend", backend, "stream", String.valueOf(ctx.stream()))
        .serviceLevelObjectives(LATENCY_BUCKETS)
        .register(registry).record(ctx.elapsed());
    if (ctx.timeToFirstByte() != null) {
      Timer.builder("llmproxy.ttfb")
          .description("Time to the first response byte sent to the client (first token for streams)")
          .tags("alias", alias, "backend", backend, "stream", String.valueOf(ctx.stream()))
          .serviceLevelObjectives(TTFB_BUCKETS)
          .register(registry).record(ctx.timeToFirstByte());
    }
    List<AttemptRecord> attempts = ctx.attempts();
    if (!attempts.isEmpty()) {
      DistributionSummary.builder("llmproxy.request.attempts")
          .description("Attempts (candidates tried) per request that reached the attempt loop")
          .tags("alias", alias)
          .serviceLevelObjectives(1, 2, 3, 4, 5, 8)
          .register(registry).record(attempts.size());
    }
    for (int i = 0; i < attempts.size(); i++) {
      AttemptRecord a = attempts.get(i);
      boolean accepted = i == attempts.size() - 1 && ctx.servedBy() != null
          && ctx.servedBy().backend().name().equals(a.backend());
      Counter.builder("llmproxy.attempts")
          .description("Attempts by alias, backend and result (accepted: the one that answered)")
          .tags("alias", a.alias(), "backend", a.backend(), "result", accepted ? "accepted" : "failed")
          .register(registry).increment();
    }
    for (Move move : moves(attempts)) {
      if (move == Move.RETRY) {
        Counter.builder("llmproxy.retries")
            .description("Attempts that retried the same route, by requested alias")
            .tags("alias", alias)
            .register(registry).increment();
      } else {
        fallback(alias, move);
      }
    }
    if (ctx.promptTokens() > 0) {
      tokens(alias, backend, "prompt").increment(ctx.promptTokens());
    }
    if (ctx.completionTokens() > 0) {
      tokens(alias, backend, "completion").increment(ctx.completionTokens());
    }
    for (RequestContext.UpstreamError e : ctx.upstreamErrors()) {
      upstreamError(e.backend(), e.kind());
    }
    if (ctx.streamRecovery() != null) {
      Counter.builder("llmproxy.midstream.recoveries")
          .description("Streams that broke after content reached the client, by what recovery made of them")
          .tags("outcome", ctx.streamRecovery().outcome().label())
          .register(registry).increment();
    }
  }

  /**
   * What each attempt after the first one was, compared with the attempt before it: a RETRY of the same route,
   * an L1 fallback to another route of the same alias, or an L2 fallback to another alias. Pure; the access
   * log's attempt trail is the same list.
   */
  static List<Move> moves(List<AttemptRecord> attempts) {
    List<Move> out = new ArrayList<>();
    for (int i = 1; i < attempts.size(); i++) {
      AttemptRecord before = attempts.get(i - 1);
      AttemptRecord a = attempts.get(i);
      if (!before.alias().equals(a.alias())) {
        out.add(Move.L2);
      } else if (before.backend().equals(a.backend()) && before.model().equals(a.model())) {
        out.add(Move.RETRY);
      } else {
        out.add(Move.L1);
      }
    }
    return out;
  }

  /**
   * One move to a next candidate: L1 (next route of the alias) or L2 (a route of a fallback alias). Not public:
   * {@link #requestFinished} derives every fallback from the attempt trail, and a second caller would count
   * each one twice.
   */
  void fallback(String alias, Move level) {
    Counter.builder("llmproxy.fallbacks")
        .description("Moves to a next candidate after a failed attempt, by level")
        .tags("alias", alias, "level", level.name())
        .register(registry).increment();
  }

  /**
   * Cooldown state of a route, pushed: {@code true} when (backend, model) starts cooling down, {@code false} when
   * it is usable again. {@code model} must be the configured route model.
   */
  public void cooldown(String backend, String model, boolean active) {
    cooldown(backend, model, active ? () -> true : () -> false);
  }

  /**
   * Cooldown state of a route, pulled: {@code coolingNow} is read at each scrape, so a cooldown that simply
   * expires (clock-based, no event) shows as over without anyone calling back. The latest call wins.
   */
  public void cooldown(String backend, String model, BooleanSupplier coolingNow) {
    cooldowns.computeIfAbsent(backend + "\u0000" + model, k -> {
      AtomicReference<BooleanSupplier> state = new AtomicReference<>(() -> false);
      Gauge.builder("llmproxy.cooldown.active", state, s -> s.get().getAsBoolean() ? 1 : 0)
          .description("1 while the backend+model route is cooling down, else 0")
          .tags("backend", backend, "model", model)
          .register(registry);
      return state;
    }).set(coolingNow);
  }

  /**
   * One cooldown gauge per configured route of {@code snapshot}, read at scrape time from {@code cooling}
   * (backend, model). Called at start and after each reload; routes a reload removed keep their series.
   */
  public void bindCooldowns(Snapshot snapshot, BiPredicate<String, String> cooling) {
    for (Alias a : snapshot.aliases().values()) {
      for (Route route : a.routes()) {
        cooldown(route.backend(), route.model(), () -> cooling.test(route.backend(), route.model()));
      }
    }
  }

  /**
   * Requests refused with 429 by a rate limit, read at scrape time from the limiter's own counter.
   * {@code limit} is the limit's name ({@code per_ip}, {@code per_model}, {@code global}).
   */
  public void bindRateLimitRejections(String limit, LongSupplier count) {
    keep(count);
    FunctionCounter.builder("llmproxy.rate_limit.rejections", count, c -> c.getAsLong())
        .description("Requests refused with 429 by a rate limit, by limit")
        .tags("limit", limit)
        .register(registry);
  }

  /**
   * Requests refused with 503 by the concurrency queue, read at scrape time from the gate's own counter.
   * {@code reason}: {@code queue_full}, {@code queue_timeout}, {@code backend_wait_timeout}.
   */
  public void bindQueueRejections(String reason, LongSupplier count) {
    keep(count);
    FunctionCounter.builder("llmproxy.queue.rejections", count, c -> c.getAsLong())
        .description("Requests refused with 503 by the concurrency queue, by reason")
        .tags("reason", reason)
        .register(registry);
  }

  private void keep(Object counterSource) {
    counterSources.add(counterSource);
  }

  /** The concurrency queue's current length, read at each scrape and by /livez. */
  public void bindQueueDepth(IntSupplier depth) {
    this.queueDepth = depth;
  }

  public int queueDepth() {
    return queueDepth.getAsInt();
  }

  public void bindInFlight(IntSupplier inFlight) {
    this.inFlight = inFlight;
  }

  /**
   * The clients' connections (server: section): open now, refused over max_connections, and closed by a limit
   * ({@code idle_timeout}, {@code header_timeout}).
   */
  public void bindClientConnections(IntSupplier open, LongSupplier refused,
      java.util.function.ToLongFunction<String> closedByLimit) {
    keep(refused);
    keep(closedByLimit);
    Gauge.builder("llmproxy.client.connections", () -> open.getAsInt())
        .description("Client connections open now").register(registry);
    FunctionCounter.builder("llmproxy.client.connections.refused", refused, c -> c.getAsLong())
        .description("Client connections refused because server.max_connections were open").register(registry);
    for (String limit : List.of("idle_timeout", "header_timeout")) {
      FunctionCounter.builder("llmproxy.client.connections.timed_out", closedByLimit, f -> f.applyAsLong(limit))
          .description("Client connections closed by a server: timeout, by limit")
          .tags("limit", limit)
          .register(registry);
    }
  }

  /** Proxied requests being served now, as bound by {@link #bindInFlight} (read by /livez too). */
  public int inFlight() {
    return inFlight.getAsInt();
  }

  /** The live config's version and load time, so a dashboard shows when a reload took effect. */
  public void bindConfig(SnapshotHolder snapshots) {
    Gauge.builder("llmproxy.config.version", () -> snapshots.current().version())
        .description("Version of the live config (increments on every successful load)").register(registry);
    Gauge.builder("llmproxy.config.loaded_at.seconds", () -> snapshots.current().loadedAt().toEpochMilli() / 1000.0)
        .description("Unix time the live config was loaded").register(registry);
  }

  /** A config reload attempt: {@code ok} false when the new file was rejected and the old config kept. */
  public void configReload(boolean ok) {
    Counter.builder("llmproxy.config.reloads")
        .description("Config reload attempts by result")
        .tags("result", ok ? "ok" : "failed")
        .register(registry).increment();
  }

  /** A backend that gave no usable HTTP exchange; {@code kind} is a failure kind (connect, reset, timeout...). */
  public void upstreamError(String backend, String kind) {
    Counter.builder("llmproxy.upstream.errors")
        .description("Upstream connection failures and timeouts, by backend and kind")
        .tags("backend", backend, "kind", kind)
        .register(registry).increment();
  }

  /**
   * A fleet's shared-state mode, read at each scrape and by /livez: one {@code llmproxy_cluster_mode} series per
   * mode in {@code modes}, 1 for the current one. Never bound in a single process, so nothing shows there.
   */
  public void bindClusterMode(List<String> modes, java.util.function.Supplier<String> current) {
    this.clusterMode = current;
    for (String mode : modes) {
      Gauge.builder("llmproxy.cluster.mode", () -> mode.equals(current.get()) ? 1 : 0)
          .description("1 for the mode the replica's shared state is in (redis: shared; local: per process)")
          .tags("mode", mode)
          .register(registry);
    }
  }

  /** The shared-state mode for /livez, or null in a single process. */
  public String clusterMode() {
    java.util.function.Supplier<String> mode = clusterMode;
    return mode == null ? null : mode.get();
  }

  /** A Redis call that failed or ran past {@code cluster.redis.timeout}; {@code operation} is a fixed word. */
  public void clusterRedisError(String operation) {
    Counter.builder("llmproxy.cluster.redis.errors")
        .description("Redis calls that failed or timed out, by operation")
        .tags("operation", operation)
        .register(registry).increment();
  }

  private Counter tokens(String alias, String backend, String type) {
    return Counter.builder("llmproxy.tokens")
        .description("Tokens reported by upstream usage, by alias, backend and type (prompt|completion)")
        .tags("alias", alias, "backend", backend, "type", type)
        .register(registry);
  }

  static String statusClass(int status) {
    return status >= 100 && status < 600 ? (status / 100) + "xx" : "other";
  }

  private static Duration[] durations(double... seconds) {
    Duration[] out = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      out[i] = Duration.ofNanos((long) (seconds[i] * 1_000_000_000L));
    }
    return out;
  }
}
