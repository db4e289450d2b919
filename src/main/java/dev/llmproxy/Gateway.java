package dev.llmproxy;

import dev.llmproxy.bedrock.Bedrock;
import dev.llmproxy.capture.Capture;
import dev.llmproxy.cluster.Cluster;
import dev.llmproxy.config.ConfigLoader;
import dev.llmproxy.config.ConfigWatcher;
import dev.llmproxy.config.ListenAddress;
import dev.llmproxy.config.ReloadResult;
import dev.llmproxy.config.Snapshot;
import dev.llmproxy.config.SnapshotHolder;
import dev.llmproxy.connections.ClientConnections;
import dev.llmproxy.echo.EchoBackend;
import dev.llmproxy.fallback.CooldownRegistry;
import dev.llmproxy.lifecycle.Drain;
import dev.llmproxy.limits.RateLimiters;
import dev.llmproxy.limits.TrafficControl;
import dev.llmproxy.observability.LogMasking;
import dev.llmproxy.observability.Metrics;
import dev.llmproxy.routing.AliasResolver;
import dev.llmproxy.ui.WebUi;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A running gateway: the shared services, plus one {@link GatewayVerticle} per event loop listening on the same
 * port. Used by {@link Main} and, identically, by the integration tests.
 */
public final class Gateway {

  private final Vertx vertx;
  private final GatewayServices services;
  private final int port;
  private final Cluster cluster;

  private Gateway(Vertx vertx, GatewayServices services, int port, Cluster cluster) {
    this.vertx = vertx;
    this.services = services;
    this.port = port;
    this.cluster = cluster;
  }

  public static Future<Gateway> start(Vertx vertx, Snapshot initial, int instances) {
    return start(vertx, ConfigLoader.fromSystemEnv(vertx), initial, instances);
  }

  /** @param loader loaded {@code initial}; reloads go through it too, so versions keep counting up */
  public static Future<Gateway> start(Vertx vertx, ConfigLoader loader, Snapshot initial, int instances) {
    return start(vertx, loader, initial, instances, Clock.systemUTC());
  }

  /** @param clock time for cooldowns and other reload-surviving state; tests pass a clock they can advance */
  public static Future<Gateway> start(Vertx vertx, ConfigLoader loader, Snapshot initial, int instances, Clock clock) {
    return start(vertx, loader, initial, instances, clock, GatewayHooks.NONE);
  }

  /** @param hooks test seams (a throwing stage, a failing echo backend); production passes {@link GatewayHooks#NONE} */
  public static Future<Gateway> start(
      Vertx vertx, ConfigLoader loader, Snapshot initial, int instances, Clock clock, GatewayHooks hooks) {
    SnapshotHolder snapshots = new SnapshotHolder(initial);
    LogMasking.register(initial);
    EchoBackend echo = new EchoBackend(vertx, hooks.beforeEchoReply());
    ConfigWatcher watcher = new ConfigWatcher(vertx, loader, snapshots);
    return echo.start().compose(started -> {
      CooldownRegistry cooldowns = new CooldownRegistry(clock);
      Drain drain = new Drain();
      Metrics metrics = new Metrics();
      metrics.bindInFlight(drain::inFlight);
      metrics.bindConfig(snapshots);
      // Cooldowns are keyed like Candidate.key(): backend/model.
      metrics.bindCooldowns(initial, (backend, model) -> cooldowns.isCooling(backend + "/" + model));
      watcher.onReload(next -> {
        LogMasking.register(next);  // masked secrets follow the config (Main also re-applies logging:)
        metrics.bindCooldowns(next, (backend, model) -> cooldowns.isCooling(backend + "/" + model));
      });
      watcher.onResult(result -> {
        if (result.outcome() != ReloadResult.Outcome.UNCHANGED) {
          metrics.configReload(result.applied());
        }
      });
      Capture capture = Capture.start(vertx, initial.capture(), clock, metrics.registry());
      watcher.onReload(next -> capture.reconfigure(next.capture()));
      GatewayServices services =
          new GatewayServices(snapshots, echo, new AliasResolver(ThreadLocalRandom::current), watcher,
              cooldowns, clock, new TrafficControl(vertx, initial), metrics, drain, new Bedrock(clock),
              new ClientConnections(snapshots), capture,
              WebUi.forGateway(snapshots, watcher, cooldowns, capture, drain, clock));
      // Buckets and the gate follow a reload at once, keyed by name so unchanged limits keep their state.
      watcher.onReload(services.traffic()::reconfigure);
      bindTrafficMetrics(metrics, services.traffic());
      ClientConnections connections = services.clientConnections();
      metrics.bindClientConnections(connections::open, connections::refused, connections::timedOut);
      // cluster: limits and cooldowns shared with other replicas through Redis; nothing at all without it.
      Future<Cluster> cluster = initial.cluster().enabled()
          ? Cluster.start(vertx, initial.cluster(), clock, services.traffic(), cooldowns, metrics)
          : Future.succeededFuture();
      ListenAddress listen = initial.listen();
      // Port 0 would give every instance its own random port; a negative port makes Vert.x pick one random
      // port and share it among all instances of the deployment.
      int bindPort = listen.port() == 0 ? -1 : listen.port();
      AtomicInteger actualPort = new AtomicInteger();
      return cluster.compose(joined -> vertx.deployVerticle(
              () -> new GatewayVerticle(services, listen.host(), bindPort, actualPort::set, hooks),
              new DeploymentOptions().setInstances(Math.max(1, instances)))
          .map(id -> {
            watcher.start(new ListenAddress(listen.host(), actualPort.get()));
            return new Gateway(vertx, services, actualPort.get(), joined);
          }));
    });
  }

  /** The limiters keep their own counters; /metrics reads them at scrape time. */
  private static void bindTrafficMetrics(Metrics metrics, TrafficControl traffic) {
    metrics.bindQueueDepth(traffic::queued);
    for (String limit : List.of(RateLimiters.PER_IP, RateLimiters.PER_MODEL, RateLimiters.GLOBAL)) {
      metrics.bindRateLimitRejections(limit, () -> traffic.rates().rejections().getOrDefault(limit, 0L));
    }
    for (String reason : List.of(TrafficControl.QUEUE_FULL, TrafficControl.QUEUE_TIMEOUT,
        TrafficControl.BACKEND_WAIT_TIMEOUT)) {
      metrics.bindQueueRejections(reason, () -> traffic.rejections().getOrDefault(reason, 0L));
    }
  }

  /**
   * Stops serving: undeploys every verticle instance and the echo backend, then writes out what capture has
   * queued. Requests in flight are cut.
   */
  public Future<Void> stop() {
    return services.config().stop().compose(v -> undeploy())
        .compose(v -> vertx.executeBlocking(() -> services.capture().close(CAPTURE_CLOSE_TIMEOUT)))
        .mapEmpty();
  }

  /** Bound of writing out capture's queue when the gateway stops. */
  public static final java.time.Duration CAPTURE_CLOSE_TIMEOUT = java.time.Duration.ofSeconds(10);

  private Future<Void> undeploy() {
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : Set.copyOf(vertx.deploymentIDs())) {
      undeployed.add(vertx.undeploy(id));
    }
    return Future.join(undeployed)
        .compose(v -> cluster == null ? Future.succeededFuture() : cluster.stop())
        .compose(v -> services.echo().stop());
  }

  public int port() {
    return port;
  }

  public GatewayServices services() {
    return services;
  }

  public Vertx vertx() {
    return vertx;
  }
}
