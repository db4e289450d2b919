package dev.llmproxy.config;

import java.util.Map;

/**
 * The {@code rate_limit:} section. A rate of 0 switches that one limit off. Bucket capacity is
 * {@code rps × burstFactor} (at least 1), refilled continuously at {@code rps}.
 *
 * @param perModelRps keyed by the alias the client asked for
 * @param maxTrackedIps bound of the per-IP bucket cache; the least recently used IPs are dropped beyond it
 */
public record RateLimitSettings(
    boolean enabled,
    long globalRps,
    long perIpRps,
    double burstFactor,
    Map<String, Long> perModelRps,
    long maxTrackedIps) {

  public static final RateLimitSettings DISABLED = new RateLimitSettings(false, 1000, 100, 1.5, Map.of(), 100_000);

  public RateLimitSettings {
    perModelRps = Map.copyOf(perModelRps);
  }

  /** Bucket capacity for a rate: {@code rps × burst_factor}, rounded, never below one token. */
  public long capacity(long rps) {
    return Math.max(1, Math.round(rps * burstFactor));
  }
}
