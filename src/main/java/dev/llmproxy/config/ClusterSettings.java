package dev.llmproxy.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The {@code cluster:} section: several replicas behind a load balancer share their rate limits, cooldowns and,
 * optionally, their per-backend concurrency through one Redis. Absent (or with an empty {@code redis.url}) the
 * gateway is a single process and nothing here is used. Changing it needs a restart.
 *
 * @param redisUrl {@code redis://}, {@code rediss://} (TLS) or {@code redis-sentinel://}; a secret, since it may
 *     carry a password; null when clustering is off
 * @param keyPrefix put before every Redis key and channel, so several gateways can share one Redis
 * @param timeout the longest one Redis call may hold a request; past it the call counts as failed
 * @param onUnavailable what requests get while Redis cannot be reached
 * @param backendLimitScope whether {@code concurrency.per_backend_limit} counts this replica or the fleet
 * @param leaseTtl how long a fleet-wide slot or probe lease lives without renewal: the slots of a replica that
 *     died free themselves after this
 */
public record ClusterSettings(
    Secret redisUrl,
    String keyPrefix,
    Duration timeout,
    OnUnavailable onUnavailable,
    BackendLimitScope backendLimitScope,
    Duration leaseTtl) {

  /** What a request gets while Redis is unreachable or slower than {@code timeout}. */
  public enum OnUnavailable {
    /** Per-process limits and cooldowns (the fleet may admit up to N × a limit); counted and logged. */
    LOCAL,
    /** 503 with Retry-After, so no limit is ever exceeded. */
    REJECT
  }

  /** Which requests {@code concurrency.per_backend_limit} counts. */
  public enum BackendLimitScope { REPLICA, FLEET }

  static final Set<String> KEYS = Set.of("redis", "per_backend_limit", "lease_ttl");
  static final Set<String> REDIS_KEYS = Set.of("url", "key_prefix", "timeout", "on_unavailable");
  private static final Pattern URL = Pattern.compile("(redis|rediss|redis-sentinel|rediss-sentinel)://\\S+");
  private static final Pattern USER_INFO = Pattern.compile("://[^:@/]*:([^@/]*)@");

  public static final ClusterSettings DISABLED = new ClusterSettings(null, "llm-proxy:", Duration.ofMillis(50),
      OnUnavailable.LOCAL, BackendLimitScope.REPLICA, Duration.ofSeconds(30));

  public boolean enabled() {
    return redisUrl != null;
  }

  /** The password in the URL's user info ({@code redis://user:PASSWORD@host}), so logs can mask it alone too. */
  public java.util.Optional<String> redisPassword() {
    if (redisUrl == null) {
      return java.util.Optional.empty();
    }
    java.util.regex.Matcher m = USER_INFO.matcher(redisUrl.value());
    return m.find() && !m.group(1).isEmpty() ? java.util.Optional.of(m.group(1)) : java.util.Optional.empty();
  }

  static ClusterSettings compile(ConfigNode node) {
    if (node.isMissing()) {
      return DISABLED;
    }
    if (!node.isMap()) {
      node.error("must be a mapping with redis: {url, key_prefix, timeout, on_unavailable}");
      return DISABLED;
    }
    node.warnUnknownKeys(KEYS);
    ConfigNode redis = node.get("redis");
    redis.warnUnknownKeys(REDIS_KEYS);
    ClusterSettings d = DISABLED;
    // An empty URL (e.g. ${LLM_PROXY_REDIS_URL:-} unset) is the documented way to run one process.
    String url = redis.get("url").string("").trim();
    Secret secret = null;
    if (!url.isEmpty()) {
      if (URL.matcher(url).matches()) {
        secret = new Secret(url);
      } else {
        // The value may hold a password: name the scheme we saw, never the value.
        int colon = url.indexOf("://");
        redis.get("url").error("must be a redis://, rediss:// or redis-sentinel:// URL, got one starting with \""
            + (colon > 0 ? url.substring(0, colon) + "://" : "(no scheme)") + "\"");
      }
    }
    String prefix = redis.get("key_prefix").string(d.keyPrefix());
    if (prefix.isEmpty() || prefix.chars().anyMatch(Character::isWhitespace)) {
      redis.get("key_prefix").error("must be non-empty text without spaces, e.g. \"llm-proxy:\"");
      prefix = d.keyPrefix();
    }
    Duration timeout = redis.get("timeout").duration(d.timeout());
    if (timeout.isZero() || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
      redis.get("timeout").error("must be from 1ms to 10s (it bounds how long a Redis call may hold a request)");
      timeout = d.timeout();
    }
    OnUnavailable onUnavailable = choice(redis.get("on_unavailable"), OnUnavailable.class, d.onUnavailable());
    BackendLimitScope scope = choice(node.get("per_backend_limit"), BackendLimitScope.class, d.backendLimitScope());
    Duration leaseTtl = node.get("lease_ttl").duration(d.leaseTtl());
    if (leaseTtl.compareTo(Duration.ofSeconds(3)) < 0 || leaseTtl.compareTo(Duration.ofHours(1)) > 0) {
      node.get("lease_ttl").error("must be from 3s to 1h (leases are renewed every third of it)");
      leaseTtl = d.leaseTtl();
    }
    return new ClusterSettings(secret, prefix, timeout, onUnavailable, scope, leaseTtl);
  }

  private static <E extends Enum<E>> E choice(ConfigNode node, Class<E> type, E fallback) {
    String text = node.string();
    if (text == null || text.isBlank()) {
      return fallback;
    }
    try {
      return Enum.valueOf(type, text.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      StringBuilder allowed = new StringBuilder();
      for (E value : type.getEnumConstants()) {
        allowed.append(allowed.length() == 0 ? "" : " or ").append(value.name().toLowerCase(Locale.ROOT));
      }
      node.error("must be " + allowed + ", got \"" + text + "\"");
      return fallback;
    }
  }
}
