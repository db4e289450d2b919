package dev.llmproxy.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.llmproxy.config.ClusterSettings;
import dev.llmproxy.config.RateLimitSettings;
import dev.llmproxy.limits.RateDecision;
import dev.llmproxy.limits.RateLimiters;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.github.bucket4j.distributed.AsyncBucketProxy;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.AsyncProxyManager;
import io.github.bucket4j.distributed.proxy.optimization.Optimizations;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request-rate buckets of the whole fleet, in Redis through bucket4j's Lettuce integration (compare-and-swap
 * of the bucket state; several requests of one replica to one bucket are batched into one exchange). Same limits,
 * order and answers as {@link RateLimiters#admit}: a token is taken from every applicable bucket or from none.
 * In local mode the replica's own {@link RateLimiters} decide, or, with {@code on_unavailable: reject}, every
 * request gets a 503.
 */
final class SharedRateLimits implements RateLimiters.Fleet {

  /** Kept in Redis this long after a bucket is full again, then dropped (idle client IPs cost nothing). */
  private static final Duration KEEP_AFTER_FULL = Duration.ofSeconds(10);

  private final RedisLink link;
  private final RateLimiters local;
  private final Clock clock;
  private final String prefix;
  private final ConcurrentHashMap<String, Versioned> versions = new ConcurrentHashMap<>();
  private final Cache<String, AsyncBucketProxy> proxies;
  private volatile AsyncProxyManager<String> buckets;

  /** A limit's rate, and the configuration version bucket4j stores with it. */
  private record Versioned(long rps, long capacity, long version) {}

  /** One bucket a request is checked against. */
  private record Check(String limit, String key, long rps, AsyncBucketProxy bucket) {}

  SharedRateLimits(RedisLink link, RateLimiters local, Clock clock) {
    this.link = link;
    this.local = local;
    this.clock = clock;
    this.prefix = link.settings().keyPrefix() + "rate:";
    // Batching keeps state per proxy, so proxies are reused; bounded like the local per-IP cache.
    this.proxies = Caffeine.newBuilder()
        .maximumSize(local.settings().maxTrackedIps() + 1024)
        .expireAfterAccess(Duration.ofMinutes(2))
        .executor(Runnable::run)
        .build();
  }

  @Override
  public Future<RateDecision> admit(String clientIp, String alias, RateLimitSettings settings) {
    if (!link.shared()) {
      return unavailable(clientIp, alias);
    }
    if (!settings.enabled()) {
      return Future.succeededFuture(RateDecision.UNLIMITED);
    }
    List<Check> checks = new ArrayList<>(3);
    if (settings.perIpRps() > 0) {
      checks.add(check(RateLimiters.PER_IP, clientIp, "ip:" + clientIp, settings.perIpRps(), settings));
    }
    Long modelRps = settings.perModelRps().get(alias);
    if (modelRps != null && modelRps > 0) {
      checks.add(check(RateLimiters.PER_MODEL, alias, "model:" + alias, modelRps, settings));
    }
    if (settings.globalRps() > 0) {
      checks.add(check(RateLimiters.GLOBAL, null, "global", settings.globalRps(), settings));
    }
    if (checks.isEmpty()) {
      return Future.succeededFuture(RateDecision.UNLIMITED);
    }
    // All buckets at once (one round trip's worth, pipelined on the one connection), then decide.
    List<CompletableFuture<ConsumptionProbe>> probes = new ArrayList<>(checks.size());
    Future<List<ConsumptionProbe>> all = link.call("rate_limit", () -> {
      for (Check c : checks) {
        probes.add(c.bucket().tryConsumeAndReturnRemaining(1));
      }
      return CompletableFuture.allOf(probes.toArray(CompletableFuture[]::new))
          .thenApply(v -> probes.stream().map(CompletableFuture::join).toList());
    });
    return all.transform(ar -> ar.succeeded()
        ? Future.succeededFuture(decide(checks, ar.result()))
        : unavailable(clientIp, alias));
  }

  private RateDecision decide(List<Check> checks, List<ConsumptionProbe> probes) {
    for (int i = 0; i < checks.size(); i++) {
      if (!probes.get(i).isConsumed()) {
        // Give back what the others took, so a request refused by one limit costs nothing against the rest.
        for (int j = 0; j < checks.size(); j++) {
          if (probes.get(j).isConsumed()) {
            AsyncBucketProxy bucket = checks.get(j).bucket();
            link.call("rate_limit_refund", () -> bucket.addTokens(1));
          }
        }
        Check c = checks.get(i);
        local.recordRejection(c.limit());
        return RateDecision.rejected(c.limit(), c.key(), c.rps(), probes.get(i));
      }
    }
    RateDecision tightest = null;
    for (int i = 0; i < checks.size(); i++) {
      ConsumptionProbe p = probes.get(i);
      if (tightest == null || p.getRemainingTokens() < tightest.remaining()) {
        Check c = checks.get(i);
        tightest = RateDecision.passed(c.limit(), c.key(), c.rps(), p);
      }
    }
    return tightest;
  }

  /** Local mode: this replica's own buckets, or a 503 when the operator asked for no unchecked requests. */
  private Future<RateDecision> unavailable(String clientIp, String alias) {
    if (link.settings().onUnavailable() == ClusterSettings.OnUnavailable.REJECT) {
      return Future.failedFuture(ClusterErrors.sharedStateUnavailable());
    }
    return Future.succeededFuture(local.admit(clientIp, alias));
  }

  private Check check(String limit, String key, String id, long rps, RateLimitSettings settings) {
    long capacity = settings.capacity(rps);
    // A changed rate gets a newer version, and bucket4j replaces the stored configuration (keeping the tokens,
    // capped) the first time a request carries it. Replicas that reload a moment apart carry slightly different
    // versions of the same rate; the stored one only moves forward, so they never flap.
    String family = id.startsWith("ip:") ? "ip" : id;
    Versioned v = versions.get(family);
    if (v == null || v.rps() != rps || v.capacity() != capacity) {  // read first: a rate rarely changes
      v = versions.compute(family, (k, old) -> old != null && old.rps() == rps && old.capacity() == capacity
          ? old
          : new Versioned(rps, capacity, Math.max(clock.millis(), old == null ? 0 : old.version() + 1)));
    }
    Versioned version = v;
    AsyncBucketProxy bucket = proxies.get(id + "#" + version.version(), k -> manager().builder()
        .withImplicitConfigurationReplacement(version.version(), TokensInheritanceStrategy.AS_IS)
        .withOptimization(Optimizations.batching())
        .build(prefix + id, () -> CompletableFuture.completedFuture(configuration(version))));
    return new Check(limit, key, rps, bucket);
  }

  private static BucketConfiguration configuration(Versioned v) {
    // As the local buckets: greedy refill, one token every 1/rps s.
    return BucketConfiguration.builder()
        .addLimit(Bandwidth.builder().capacity(v.capacity()).refillGreedy(v.rps(), Duration.ofSeconds(1)).build())
        .build();
  }

  private AsyncProxyManager<String> manager() {
    AsyncProxyManager<String> m = buckets;
    if (m == null) {
      synchronized (this) {
        m = buckets;
        if (m == null) {
          m = Bucket4jLettuce.casBasedBuilder(link.connection())
              .clientClock(new ClockTimeMeter(clock))
              .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(KEEP_AFTER_FULL))
              .build()
              .asAsync();
          buckets = m;
        }
      }
    }
    return m;
  }
}
