package dev.llmproxy.limits;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.llmproxy.config.RateLimitSettings;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.TokensInheritanceStrategy;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The request-rate token buckets: one global, one per client IP (in a bounded, expiring cache) and one per
 * limited model alias. Thread-safe; shared by every event loop and kept across reloads, so a reload that does
 * not touch a rate does not refill or drain its buckets.
 */
public final class RateLimiters {

  /**
   * Buckets shared by a fleet of replicas (implemented by the cluster package), decided asynchronously. The
   * answer means what {@link #admit} means; a failed future carries the error to answer instead (the shared
   * state is unreachable and the config says to refuse rather than guess).
   */
  public interface Fleet {
    Future<RateDecision> admit(String clientIp, String alias, RateLimitSettings settings);
  }

  public static final String PER_IP = "per_ip";
  public static final String PER_MODEL = "per_model";
  public static final String GLOBAL = "global";

  /** A bucket idle this long is full again (capacity / rps = burst_factor seconds), so dropping it loses nothing. */
  private static final Duration MIN_IDLE_EXPIRY = Duration.ofMinutes(1);

  private final TimeMeter time;
  private final Object reconfigureLock = new Object();
  private final ConcurrentHashMap<String, ManagedBucket> perModel = new ConcurrentHashMap<>();
  private final Cache<String, ManagedBucket> perIp;
  private final ConcurrentHashMap<String, LongAdder> rejections = new ConcurrentHashMap<>();
  private volatile Generation current;
  private volatile ManagedBucket global;

  /** The settings in force, numbered so a bucket never goes back to an older rate than one it already has. */
  private record Generation(long number, RateLimitSettings settings) {}

  /** What a bucket is configured with; equal rates mean "leave the bucket alone" on reload. */
  record Rate(long rps, long capacity) {

    BucketConfiguration configuration() {
      return BucketConfiguration.builder().addLimit(bandwidth()).build();
    }

    Bandwidth bandwidth() {
      // Greedy refill: tokens come back continuously (one every 1/rps s), not in a lump once a second.
      return Bandwidth.builder().capacity(capacity).refillGreedy(rps, Duration.ofSeconds(1)).build();
    }
  }

  /** A bucket plus the rate (and generation) it currently runs with. */
  static final class ManagedBucket {
    private final Bucket bucket;
    private volatile long generation;
    private volatile Rate rate;

    ManagedBucket(long generation, Rate rate, TimeMeter time) {
      this.bucket = Bucket.builder().addLimit(rate.bandwidth()).withCustomTimePrecision(time).build();
      this.generation = generation;
      this.rate = rate;
    }

    /** Moves the bucket to a newer generation's rate; keeps its tokens (capped at a smaller capacity). */
    void ensure(long wantedGeneration, Rate wanted) {
      if (wantedGeneration <= generation) {
        return;
      }
      synchronized (this) {
        if (wantedGeneration <= generation) {
          return;
        }
        if (!wanted.equals(rate)) {
          bucket.replaceConfiguration(wanted.configuration(), TokensInheritanceStrategy.AS_IS);
          rate = wanted;
        }
        generation = wantedGeneration;
      }
    }

    Rate rate() {
      return rate;
    }

    long availableTokens() {
      return bucket.getAvailableTokens();
    }
  }

  public RateLimiters(RateLimitSettings initial) {
    this(initial, TimeMeter.SYSTEM_NANOTIME);
  }

  /** @param time the clock every bucket refills by; a hand-driven one in tests */
  public RateLimiters(RateLimitSettings initial, TimeMeter time) {
    this.time = time;
    this.current = new Generation(1, initial);
    this.perIp = Caffeine.newBuilder()
        .maximumSize(initial.maxTrackedIps())
        .expireAfter(Expiry.accessing((String ip, ManagedBucket b) -> idleExpiry()))
        // Expiry runs on the buckets' clock, so a test that moves the clock moves both.
        .ticker(time::currentTimeNanos)
        // Eviction bookkeeping runs on the calling thread: cheap, amortised, and no hidden pool.
        .executor(Runnable::run)
        .build();
  }

  /**
   * Checks the request against the per-IP, per-model and global limits, in that order. A token is taken from
   * every bucket only if all of them have one: when a later bucket rejects, the tokens already taken are
   * given back, so a request rejected by one limit costs nothing against the others.
   *
   * @param alias the alias the client asked for (not the backend model)
   */
  public RateDecision admit(String clientIp, String alias) {
    Generation gen = current;
    RateLimitSettings s = gen.settings();
    if (!s.enabled()) {
      return RateDecision.UNLIMITED;
    }
    ManagedBucket ip = s.perIpRps() > 0 ? ipBucket(gen, clientIp) : null;
    Long modelRps = s.perModelRps().get(alias);
    ManagedBucket model = modelRps != null && modelRps > 0 ? modelBucket(gen, alias, modelRps) : null;
    ManagedBucket glob = s.globalRps() > 0 ? globalBucket(gen) : null;

    ManagedBucket[] order = {ip, model, glob};
    String[] names = {PER_IP, PER_MODEL, GLOBAL};
    String[] keys = {clientIp, alias, null};
    RateDecision tightest = RateDecision.UNLIMITED;
    for (int i = 0; i < order.length; i++) {
      ManagedBucket b = order[i];
      if (b == null) {
        continue;
      }
      ConsumptionProbe probe = b.bucket.tryConsumeAndReturnRemaining(1);
      Rate rate = b.rate();
      if (!probe.isConsumed()) {
        for (int j = 0; j < i; j++) {
          if (order[j] != null) {
            order[j].bucket.addTokens(1);
          }
        }
        recordRejection(names[i]);
        return RateDecision.rejected(names[i], keys[i], rate.rps(), probe);
      }
      if (tightest.limit() == null || probe.getRemainingTokens() < tightest.remaining()) {
        tightest = RateDecision.passed(names[i], keys[i], rate.rps(), probe);
      }
    }
    return tightest;
  }

  /**
   * Applies new settings: buckets whose rate changed get the new one (keeping their tokens, capped at the new
   * capacity); buckets whose rate did not change are left alone; buckets of limits that no longer exist are
   * dropped. Takes effect for the next request. Idempotent.
   */
  public void reconfigure(RateLimitSettings next) {
    synchronized (reconfigureLock) {
      Generation prev = current;
      if (prev.settings().equals(next)) {
        return;
      }
      Generation gen = new Generation(prev.number() + 1, next);
      current = gen;
      ManagedBucket g = global;
      if (next.globalRps() <= 0) {
        global = null;
      } else if (g != null) {
        g.ensure(gen.number(), rate(next, next.globalRps()));
      }
      perModel.keySet().removeIf(alias -> next.perModelRps().getOrDefault(alias, 0L) <= 0);
      perModel.forEach((alias, b) -> b.ensure(gen.number(), rate(next, next.perModelRps().get(alias))));
      if (next.perIpRps() <= 0) {
        perIp.invalidateAll();
      } else {
        Rate ipRate = rate(next, next.perIpRps());
        perIp.asMap().values().forEach(b -> b.ensure(gen.number(), ipRate));
      }
      perIp.policy().eviction().ifPresent(e -> e.setMaximum(next.maxTrackedIps()));
    }
  }

  /** Counts a request refused by {@code limit}; the fleet's shared buckets report theirs here too. */
  public void recordRejection(String limit) {
    rejections.computeIfAbsent(limit, k -> new LongAdder()).increment();
  }

  public RateLimitSettings settings() {
    return current.settings();
  }

  /** Requests rejected so far, by limit name ({@code per_ip}, {@code per_model}, {@code global}). */
  public Map<String, Long> rejections() {
    Map<String, Long> out = new TreeMap<>();
    rejections.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  /** Per-IP buckets held right now (bounded by {@code max_tracked_ips}). */
  public long trackedIps() {
    perIp.cleanUp();
    return perIp.estimatedSize();
  }

  /** Tokens left in a per-model bucket, or -1 if it has none (for tests and diagnostics). */
  long modelTokens(String alias) {
    ManagedBucket b = perModel.get(alias);
    return b == null ? -1 : b.availableTokens();
  }

  long ipTokens(String ip) {
    ManagedBucket b = perIp.getIfPresent(ip);
    return b == null ? -1 : b.availableTokens();
  }

  long globalTokens() {
    ManagedBucket b = global;
    return b == null ? -1 : b.availableTokens();
  }

  private ManagedBucket ipBucket(Generation gen, String ip) {
    Rate rate = rate(gen.settings(), gen.settings().perIpRps());
    ManagedBucket b = perIp.get(ip, k -> new ManagedBucket(gen.number(), rate, time));
    // A bucket created by a request still holding older settings is brought up to date here.
    b.ensure(gen.number(), rate);
    return b;
  }

  private ManagedBucket modelBucket(Generation gen, String alias, long rps) {
    Rate rate = rate(gen.settings(), rps);
    ManagedBucket b = perModel.computeIfAbsent(alias, k -> new ManagedBucket(gen.number(), rate, time));
    b.ensure(gen.number(), rate);
    return b;
  }

  private ManagedBucket globalBucket(Generation gen) {
    Rate rate = rate(gen.settings(), gen.settings().globalRps());
    ManagedBucket b = global;
    if (b == null) {
      synchronized (reconfigureLock) {
        b = global;
        if (b == null) {
          b = new ManagedBucket(gen.number(), rate, time);
          global = b;
        }
      }
    }
    b.ensure(gen.number(), rate);
    return b;
  }

  private static Rate rate(RateLimitSettings s, long rps) {
    return new Rate(rps, s.capacity(rps));
  }

  private Duration idleExpiry() {
    long fullAfterSeconds = (long) Math.ceil(current.settings().burstFactor()) + 1;
    Duration full = Duration.ofSeconds(fullAfterSeconds);
    return full.compareTo(MIN_IDLE_EXPIRY) > 0 ? full : MIN_IDLE_EXPIRY;
  }

}
