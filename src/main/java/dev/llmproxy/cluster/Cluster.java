package dev.llmproxy.cluster;

import dev.llmproxy.config.ClusterSettings;
import dev.llmproxy.fallback.CooldownRegistry;
import dev.llmproxy.limits.TrafficControl;
import dev.llmproxy.observability.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Clock;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * This replica's membership in a fleet: connects to Redis and plugs the shared rate limits, circuits and
 * (optionally) backend slots in behind {@link TrafficControl} and {@link CooldownRegistry}. Started once, with the
 * {@code cluster:} section read at start; a reload does not change it.
 */
public final class Cluster {

  private final Vertx vertx;
  private final RedisLink link;
  private final long renewTimer;

  private Cluster(Vertx vertx, RedisLink link, long renewTimer) {
    this.vertx = vertx;
    this.link = link;
    this.renewTimer = renewTimer;
  }

  /**
   * Shares {@code traffic}'s limits and {@code cooldowns}' circuits through the Redis of {@code settings}.
   * Completes once the first connection attempt is over: in shared mode if Redis answered, otherwise in local
   * mode, from which it keeps trying in the background. Never fails because Redis is down.
   *
   * @param clock time for shared buckets, cooldowns and leases; every replica must read the same time
   */
  public static Future<Cluster> start(Vertx vertx, ClusterSettings settings, Clock clock, TrafficControl traffic,
      CooldownRegistry cooldowns, Metrics metrics) {
    RedisLink link;
    try {
      link = new RedisLink(vertx, settings, metrics, newReplicaId());
    } catch (IllegalArgumentException e) {
      // Lettuce's parser is stricter than the config check; its message may quote the URL, so it is not shown.
      return Future.failedFuture(new IllegalArgumentException(
          "cluster.redis.url: not a URL the Redis client accepts (" + e.getClass().getSimpleName() + ")"));
    }
    SharedCooldowns circuits = new SharedCooldowns(link, cooldowns, clock);
    SharedBackendSlots slots = settings.backendLimitScope() == ClusterSettings.BackendLimitScope.FLEET
        ? new SharedBackendSlots(link, clock) : null;
    SharedRateLimits rates = new SharedRateLimits(link, traffic.rates(), clock);
    metrics.bindClusterMode(Arrays.stream(ClusterMode.values()).map(ClusterMode::label).toList(),
        () -> link.mode().label());
    return link.start().map(v -> {
      cooldowns.share(circuits);
      traffic.share(rates, slots);
      long every = Math.max(1000, settings.leaseTtl().toMillis() / 3);
      long timer = vertx.setPeriodic(every, id -> {
        circuits.renew();
        if (slots != null) {
          slots.renew();
        }
      });
      return new Cluster(vertx, link, timer);
    });
  }

  /** Shared through Redis, or local while Redis is unreachable. */
  ClusterMode mode() {
    return link.mode();
  }

  /** This replica's id in Redis (lease owner, message sender). */
  public String replicaId() {
    return link.replicaId();
  }

  /** Disconnects. Leases this replica still holds are not released: they expire, as if it had died. */
  public Future<Void> stop() {
    vertx.cancelTimer(renewTimer);
    return link.close();
  }

  private static String newReplicaId() {
    byte[] random = new byte[4];
    ThreadLocalRandom.current().nextBytes(random);
    return ProcessHandle.current().pid() + "-" + HexFormat.of().formatHex(random);
  }
}
