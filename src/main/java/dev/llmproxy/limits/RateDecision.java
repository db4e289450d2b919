package dev.llmproxy.limits;

import io.github.bucket4j.ConsumptionProbe;
import java.util.Map;

/**
 * The answer of {@link RateLimiters#admit}: whether the request may pass, and what the {@code X-RateLimit-*}
 * headers say. On a pass the headers describe the tightest limit the request went through; on a rejection,
 * the limit that rejected it.
 *
 * @param limit the limit's name: {@code per_ip}, {@code per_model} or {@code global}; null when nothing applies
 * @param rps the limit's rate, requests per second
 * @param remaining whole tokens left in that bucket after this request
 * @param resetSeconds seconds until that bucket is full again, rounded up
 * @param retryAfterSeconds on a rejection, seconds until one token is back, rounded up (at least 1)
 */
public record RateDecision(
    boolean allowed, String limit, String key, long rps, long remaining, long resetSeconds, long retryAfterSeconds) {

  /** No limit applies to the request. */
  public static final RateDecision UNLIMITED = new RateDecision(true, null, null, 0, 0, 0, 0);

  public static final String LIMIT_HEADER = "X-RateLimit-Limit";
  public static final String REMAINING_HEADER = "X-RateLimit-Remaining";
  public static final String RESET_HEADER = "X-RateLimit-Reset";
  /** Which limit the other headers describe; on a 429, the one that rejected. */
  public static final String SCOPE_HEADER = "X-RateLimit-Scope";

  /** A bucket had a token for the request: what the headers say about that bucket. */
  public static RateDecision passed(String limit, String key, long rps, ConsumptionProbe probe) {
    return new RateDecision(true, limit, key, rps, probe.getRemainingTokens(),
        ceilSeconds(probe.getNanosToWaitForReset()), 0);
  }

  /** A bucket had no token: the request is refused until one is back. */
  public static RateDecision rejected(String limit, String key, long rps, ConsumptionProbe probe) {
    long retry = Math.max(1, ceilSeconds(probe.getNanosToWaitForRefill()));
    return new RateDecision(false, limit, key, rps, 0, ceilSeconds(probe.getNanosToWaitForReset()), retry);
  }

  private static long ceilSeconds(long nanos) {
    if (nanos <= 0) {
      return 0;
    }
    return (nanos + 999_999_999L) / 1_000_000_000L;
  }

  /** The {@code X-RateLimit-*} headers, or none when no limit applies to the request. */
  public Map<String, String> headers() {
    if (limit == null) {
      return Map.of();
    }
    return Map.of(
        LIMIT_HEADER, String.valueOf(rps),
        REMAINING_HEADER, String.valueOf(remaining),
        RESET_HEADER, String.valueOf(resetSeconds),
        SCOPE_HEADER, limit);
  }
}
